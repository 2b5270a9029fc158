/**
 * The locustfile golive runs: the team's own, loaded unchanged, plus an event hook that writes one NDJSON
 * line per request (start time, response time, name, status, error) as each one finishes.
 */
export function locustHook(userLocustfile: string, out: string): string {
  return `# Written by golive: runs ${JSON.stringify(userLocustfile)} and records every request for golive.
import importlib.util, json, sys, os, time
from locust import events

_path = ${JSON.stringify(userLocustfile)}
sys.path.insert(0, os.path.dirname(_path))
_spec = importlib.util.spec_from_file_location("golive_user_locustfile", _path)
_user = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_user)
globals().update({_k: _v for _k, _v in vars(_user).items() if not _k.startswith("__")})

_out = open(${JSON.stringify(out)}, "a", buffering=1)

@events.request.add_listener
def _golive_record(request_type, name, response_time, response_length, response=None, context=None, exception=None, start_time=None, url=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    if start_time is None:
        start_time = time.time() - (response_time or 0) / 1000.0
    _out.write(json.dumps({"t": start_time, "ms": response_time, "name": name, "status": status, "error": None if exception is None else repr(exception)}) + "\\n")
`;
}
