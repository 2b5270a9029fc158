import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelSelectorProblem } from '../../src/platforms/kubernetes/label-selector.js';

test('label selectors: every form the API server reads passes; anything else says what is wrong', () => {
  for (const ok of [
    'app=web',
    'app==web',
    'app!=web',
    'app.kubernetes.io/part-of=shop',
    'tier in (front, api),!canary',
    'tier notin (batch),track',
    'app=web , tier=front',
    'app=',
  ])
    assert.equal(labelSelectorProblem(ok), undefined, ok);
  const problems: [string, RegExp][] = [
    ['', /an empty selector selects everything/],
    ['app=web,', /an empty requirement/],
    ['{app="web"}', /"\{app" is not a label key/],
    ['app in (web', /"app in \(web" is not a requirement/],
    ['app in (web,)', /an empty value in a set/],
    ['app=we b', /"app=we b" is not a requirement/],
    ['Example.com/app=web', /"Example\.com" is not a DNS subdomain/],
    [`app=${'x'.repeat(64)}`, /is not a label value/],
  ];
  for (const [selector, problem] of problems) assert.match(labelSelectorProblem(selector) ?? 'no problem', problem, selector);
});
