"""One small template per interpreter feature: (name, template source, context)."""

F = []


def f(case_name, source, **context):
    F.append((case_name, source, context))


# statements and whitespace control
f("if-elif-else", "{% for x in xs %}{% if x > 2 %}big{% elif x == 2 %}two{% else %}small{% endif %},{% endfor %}", xs=[1, 2, 3])
f("for-loop-vars", "{% for x in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/"
  "{{ loop.first }}/{{ loop.last }}/{{ loop.length }};{% endfor %}", xs=["a", "b", "c"])
f("for-prev-next", "{% for x in xs %}[{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }}]{% endfor %}", xs=[1, 2, 3])
f("for-else", "{% for x in xs %}{{ x }}{% else %}empty{% endfor %}|{% for x in ys %}{{ x }}{% else %}empty{% endfor %}",
  xs=[], ys=[7])
f("for-if-filter", "{% for x in xs if x % 2 == 1 %}{{ x }}:{{ loop.length }} {% endfor %}", xs=[1, 2, 3, 4, 5])
f("for-unpack-items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", d={"b": 1, "a": [1, "x"], "c": None})
f("for-dict-iterates-keys", "{% for k in d %}{{ k }} {% endfor %}", d={"x": 1, "y": 2})
f("for-string", "{% for ch in 'héllo' %}{{ ch }}.{% endfor %}")
f("loop-cycle", "{% for x in xs %}{{ loop.cycle('odd', 'even') }} {% endfor %}", xs=[1, 2, 3])
f("nested-loops", "{% for a in xs %}{% for b in xs %}{{ a }}{{ b }}{{ loop.index }} {% endfor %}{{ loop.index }}|{% endfor %}",
  xs=[1, 2])
f("break-continue", "{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}"
  "{% endfor %}", xs=[1, 2, 3, 4, 5])
f("set-scoping", "{% set x = 1 %}{% for i in [1, 2] %}{% set x = i * 10 %}{{ x }} {% endfor %}{{ x }}"
  "{% if true %}{% set x = 5 %}{% endif %} {{ x }}")
f("set-tuple-unpack", "{% set a, b = 1, 'two' %}{{ a }}-{{ b }}")
f("set-block", "{% set body %}Hello {{ name }}!{% endset %}[{{ body }}]", name="Ann")
f("namespace", "{% set ns = namespace(count=0, found=false, msg='') %}{% for x in xs %}{% set ns.count = ns.count + x %}"
  "{% if x == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.found }} {{ ns.msg }}.",
  xs=[1, 2, 3])
f("namespace-expression-arg", "{% set ns = namespace(last=xs|length - 1) %}{{ ns.last }}", xs=[1, 2, 3])
f("macro", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', '?') }} "
  "{{ greet(name='C', punct='.') }}")
f("macro-recursive", "{% macro render(v) %}{% if v is mapping %}{% for k, x in v.items() %}{{ k }}:{{ render(x) }} "
  "{% endfor %}{% else %}{{ v }}{% endif %}{% endmacro %}{{ render(d) }}", d={"a": {"b": 1, "c": {"d": True}}})
f("comments", "a{# a comment #}b\n{# another #}\nc")
f("whitespace-control", "a  {%- if true -%}  b  {%- endif -%}  c\n  {{- 'd' -}}  \n e")
f("trim-lstrip-blocks", "<ul>\n    {% for x in xs %}\n    <li>{{ x }}</li>\n    {% endfor %}\n</ul>\n", xs=[1, 2])
f("lstrip-plus-disables", "a\n    {%+ if true %}x{% endif %}\n  {% if true +%}\ny{% endif %}")
f("lstrip-not-for-variables", "line\n    {{ 'v' }}\n    {# c #}\nend")
f("trailing-newline-removed", "text\n")
f("crlf-normalized", "a\r\nb\r{% if true %}\r\nc{% endif %}")
f("raw", "{% raw %}{{ not evaluated }}{% endraw %}")
f("generation-block", "{% for m in messages %}{% generation %}{{ m }}{% endgeneration %}{% endfor %}", messages=["a", "b"])

# expressions
f("literals", "{{ 1 }} {{ -2 }} {{ 1.5 }} {{ 1e3 }} {{ 1_000 }} {{ 0x1F }} {{ 'a' \"b\" }} {{ true }} {{ True }} "
  "{{ none }} {{ None }} {{ false }}")
f("string-escapes", "{{ 'a\\nb\\tc\\'d\\\\e\\x41\\u00e9' }}|{{ \"q\\\"q\" }}|{{ 'keep\\q' }}")
f("list-dict-tuple-literals", "{{ [1, 'a', [true, none]] }} {{ {'k': 1, 'j': [2.5]} }} {{ (1, 'x') }} {{ (1,) }} {{ [] }} {{ {} }}")
f("python-repr-strings", "{{ ['it\\'s', \"q\\\"\", 'both\\'\"', 'nl\\n', 'é'] }}")
f("python-float-repr", "{{ [0.1, 1.0, 1e16, 1e15, 0.0001, 0.00001, 1.5e-7, 123456789.125, 2.0 ** 70, -0.0] }}")
f("attribute-and-item", "{{ m.role }} {{ m['content'] }} {{ xs[0] }} {{ xs[-1] }} {{ m.missing }}|{{ xs[10] }}|{{ m.content.nope }}|",
  m={"role": "user", "content": "hi"}, xs=[1, 2, 3])
f("slices", "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ xs[-2:] }} {{ s[::-1] }} {{ s[1:3] }} {{ s[-9:] }}",
  xs=[1, 2, 3, 4], s="héllo wörld")
f("arithmetic", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 / 2 }} {{ 6 / 3 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 * 3 + 1 }} "
  "{{ 1.5 + 1 }} {{ 'ab' * 3 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 'a' + 'b' }} {{ 10 - 2 - 3 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }}")
f("arithmetic-in-call-args", "{{ xs[xs|length - 1] }} {{ range(1 + 1, 2 * 3)|list }} {{ 'x'.ljust(3) if false else 'y' }}",
  xs=[4, 5, 6])
f("string-modulo-format", "{{ '%s-%d!' % ('a', 3) }} {{ '%s' % 'one' }}")
f("concat-tilde", "{{ 'n=' ~ 1 ~ none ~ true ~ [1] ~ undefined_var }}")
f("comparisons", "{{ 1 < 2 }} {{ 2 <= 1 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 == 1.0 }} {{ 1 != 2 }} "
  "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ true == 1 }} {{ none == none }} {{ {'a': [1]} == {'a': [1]} }}")
f("in-operator", "{{ 'a' in 'cat' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'cat' }} {{ 'x' in undefined_var }}")
f("logic", "{{ true and false }} {{ true or false }} {{ not true }} {{ 0 or 'x' }} {{ '' and 'y' }} {{ none or [] }} "
  "{{ not none }} {{ 1 and 2 }}")
f("conditional-expression", "{{ 'yes' if x else 'no' }} {{ 'yes' if not x else 'no' }}[{{ 'only' if false }}]", x=1)
f("truthiness", "{% for v in [0, 1, '', 'a', [], [0], {}, none, 0.0] %}{{ 'T' if v else 'F' }}{% endfor %}")
f("python-rendering", "{{ none }} {{ true }} {{ false }} {{ [none, true] }} {{ {'a': none} }} {{ 3.0 }} {{ 10 / 4 }}")
f("unicode-length", "{{ s|length }} {{ s|upper }} {{ s[0] }} {{ s[-1] }}", s="😀ab谢谢é")

# tests
f("is-tests", "{% for v in [none, 1, 1.5, 'a', [1], {'k': 1}, true, false] %}"
  "{{ v is none }}{{ v is string }}{{ v is mapping }}{{ v is sequence }}{{ v is number }}{{ v is integer }}"
  "{{ v is float }}{{ v is boolean }}{{ v is true }}{{ v is false }}{{ v is iterable }};{% endfor %}")
f("is-defined", "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ x.k is defined }} {{ x.z is defined }} "
  "{{ x is not defined }}", x={"k": 1})
f("is-tests-with-args", "{{ 4 is divisibleby 2 }} {{ 3 is odd }} {{ 3 is even }} {{ 'a' is eq 'a' }} "
  "{{ 2 is equalto(2) }} {{ 2 is in [1, 2] }} {{ 3 is gt 2 }} {{ 'abc' is lower }} {{ 'ABC' is upper }}")

# filters
f("filter-trim", "[{{ '  a b \\n'|trim }}][{{ 'xxaxx'|trim('x') }}]")
f("filter-tojson", "{{ d|tojson }}\n{{ d|tojson(indent=2) }}\n{{ d|tojson(indent=4, sort_keys=true) }}\n{{ 'é\"</s>'|tojson }}\n"
  "{{ d|tojson(separators=(',', ':')) }}\n{{ [[], {}]|tojson(indent=2) }}\n{{ 'é'|tojson(ensure_ascii=true) }}",
  d={"b": [1, 2.5, None, True, "x\ny\t\u0001"], "a": {"n": {}, "e": []}, "ü": "😀"})
f("filter-tojson-float-and-ints", "{{ [1.0, 1e16, 1e-5, 3, -0.5, 100.0]|tojson }}")
f("filter-length-count", "{{ xs|length }} {{ d|length }} {{ s|length }} {{ xs|count }} {{ undefined_var|length }}",
  xs=[1, 2], d={"a": 1}, s="añb")
f("filter-join", "{{ xs|join(', ') }} {{ xs|join }} {{ users|join(', ', attribute='name') }}",
  xs=["a", 1, None], users=[{"name": "x"}, {"name": "y"}])
f("filter-map", "{{ users|map(attribute='name')|list }} {{ xs|map('upper')|join('') }} {{ xs|map('trim')|list }}",
  users=[{"name": "x"}, {"name": "y"}], xs=[" a", "b "])
f("filter-select-reject", "{{ xs|select('odd')|list }} {{ xs|reject('odd')|list }} {{ xs|select|list }} "
  "{{ xs|select('gt', 2)|list }}", xs=[0, 1, 2, 3, 4])
f("filter-selectattr", "{{ ms|selectattr('role', 'equalto', 'user')|map(attribute='c')|join }} "
  "{{ ms|rejectattr('role', 'equalto', 'user')|map(attribute='c')|join }} {{ ms|selectattr('flag')|list|length }} "
  "{{ ms|selectattr('flag', 'defined')|list|length }}",
  ms=[{"role": "user", "c": "1", "flag": True}, {"role": "assistant", "c": "2"}, {"role": "user", "c": "3", "flag": False}])
f("filter-items-list", "{{ d|items|list }} {{ 'abc'|list }} {{ d|list }}", d={"a": 1, "b": [2]})
f("filter-first-last", "{{ xs|first }} {{ xs|last }} {{ 'abc'|first }} {{ 'abc'|last }}", xs=[3, 4, 5])
f("filter-default", "{{ x|default('dflt') }} {{ y|default('dflt') }} {{ ''|default('e') }} {{ ''|default('e', true) }} "
  "{{ none|default('n') }} {{ x|d('short') }}", y="set")
f("filter-case", "{{ 'Hello World'|upper }} {{ 'Hello World'|lower }} {{ 'hello wORLD'|title }} {{ 'hello WORLD'|capitalize }}")
f("filter-replace", "{{ 'a-b-c'|replace('-', '+') }} {{ 'a-b-c'|replace('-', '', 1) }}")
f("filter-safe-string-int", "{{ '<b>'|safe }} {{ 12|string + 'x' }} {{ '42'|int + 1 }} {{ '4.7'|int }} {{ 'x'|int }} "
  "{{ 3.9|int }} {{ none|string }} {{ [1]|string }} {{ true|string }} {{ '3.5'|float }}")
f("filter-misc", "{{ [3, 1, 2]|sort }} {{ [3, 1, 2]|sort(reverse=true) }} {{ [1, 2, 1]|unique|list }} {{ [1, 2]|reverse|list }} "
  "{{ 'abc'|reverse }} {{ -3|abs }} {{ [1, 2, 3]|sum }} {{ [4, 2, 8]|min }} {{ [4, 2, 8]|max }} {{ 2.567|round(2) }} "
  "{{ 'a b  c'|wordcount }} {{ 'x\\ny'|indent(2) }} {{ {'b': 1, 'a': 2}|dictsort }}")

# Python methods
f("str-methods", "{{ s.startswith('He') }} {{ s.endswith('!') }} {{ s.startswith(('x', 'H')) }} [{{ p.strip() }}] "
  "[{{ p.lstrip() }}] [{{ p.rstrip() }}] [{{ q.strip('-') }}] [{{ q.lstrip('-') }}] [{{ q.rstrip('-') }}] "
  "{{ s.split(' ') }} {{ 'a  b c '.split() }} {{ 'a,b,c'.split(',', 1) }} {{ s.upper() }} {{ s.lower() }} "
  "{{ 'hello wORLD 3rd'.title() }} {{ s.replace('l', 'L') }} {{ s.replace('l', 'L', 1) }} {{ s.find('o') }} "
  "{{ s.count('l') }} {{ ', '.join(['a', 'b']) }} {{ '\\n'.join(s.split(' ')) }} {{ 'x\\ny'.splitlines() }}",
  s="Hello World!", p="  \n pad \t ", q="--dash--")
f("str-split-think", "{{ c.split('</think>')[-1].lstrip('\\n') }}|{{ c.split('</think>')[0].rstrip('\\n').split('<think>')[-1]"
  ".lstrip('\\n') }}", c="<think>\nreason\n</think>\n\nanswer")
f("dict-methods", "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }} {{ d.keys()|list }} {{ d.values()|list }} "
  "{{ d.items()|list }}", d={"a": 1, "b": 2})

# globals
f("raise-exception", "{% if x %}{{ raise_exception('Custom failure: ' + x) }}{% endif %}never", x="bad input")
f("strftime-now", "{{ strftime_now('%Y-%m-%d %H:%M:%S') }} {{ strftime_now('%d %b %Y') }} {{ strftime_now('%A %B %j %I%p %y %%') }}")
f("range-and-dict", "{{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ dict(a=1, b='x') }} {% for i in range(2) %}{{ i }}{% endfor %}")
f("undefined-rendering", "[{{ nothing }}][{{ nothing|string }}][{{ nothing|default('d') }}][{% for x in nothing %}x{% endfor %}]")

# whitespace edge cases
f("ws-lstrip-at-template-start", "   {% if true %}a{% endif %}|\t{% if true %}b{% endif %}")
f("ws-no-lstrip-mid-line", "a {% if true %}b{% endif %} c\n{{ 'x' }}  {% if true %}d{% endif %}")
f("ws-lstrip-comment", "x\n  {# c #}\ny\n  {#- c -#}  \nz")
f("ws-unicode-space-before-tag", "a\n\u3000 {% if true %}b{% endif %}\n\u00a0{%- if true -%} c {%- endif %}")
f("ws-trim-only-one-newline", "{% if true %}\n\nx{% endif %}\n\n{% if true %}y{% endif %}\n")
f("ws-variable-end-no-trim", "{{ 'a' }}\n{{ 'b' }}\n\n{{- 'c' }}\n{{ 'd' -}}\n\n  e")
f("ws-plus-on-variable", "a\n  {{+ 'b' }}")
f("ws-nested-indented-blocks", "<s>\n{% for m in ms %}\n    {% if m %}\n        [{{ m }}]\n    {% else %}\n        (none)\n    {% endif %}\n{% endfor %}\n</s>",
  ms=["a", "", "b"])
f("ws-two-trailing-newlines", "a\n\n")
f("ws-braces-in-strings", "{{ '}}' }}{% set x = '%}' %}{{ x }}{{ '{{' ~ \"{%\" }}")

# semantics edge cases
f("scope-nested-loops", "{% set x = 'top' %}{% for a in [1, 2] %}{% set x = 'outer' ~ a %}{% for b in [1] %}{% set x = 'inner' %}"
  "{% endfor %}{{ x }} {% endfor %}{{ x }}")
f("scope-namespace-in-macro", "{% set ns = namespace(n=0) %}{% macro bump() %}{% set ns.n = ns.n + 1 %}{% endmacro %}"
  "{{ bump() }}{{ bump() }}{{ ns.n }}")
f("macro-default-uses-param", "{% macro m(a, b=a * 2) %}{{ a }},{{ b }}{% endmacro %}{{ m(3) }} {{ m(3, 1) }}")
f("macro-sees-later-top-level-var", "{% macro m() %}{{ v }}{% endmacro %}{% set v = 'late' %}{{ m() }}")
f("macro-missing-arg-is-undefined", "{% macro m(a, b) %}[{{ a }}|{{ b }}|{{ b is defined }}]{% endmacro %}{{ m(1) }}")
f("for-unpack-pairs", "{% for a, b in [[1, 2], (3, 4)] %}{{ a + b }} {% endfor %}")
f("for-over-none-is-error", "{% for x in nothing_none %}{{ x }}{% endfor %}", nothing_none=None)
f("set-list-concat", "{% set x = [1, 2] %}{% set x = x + [3] %}{{ x }} {{ x|length }}")
f("nested-access", "{{ d['a']['b'] }} {{ d.a.b }} {{ d.a['c'][1] }} {{ d.get('a').get('b') }}", d={"a": {"b": "B", "c": [0, 1]}})
f("tuple-vs-list-equality", "{{ (1, 2) == [1, 2] }} {{ [1, 2] == [1, 2] }} {{ (1,) == (1,) }}")
f("sameas-and-none", "{{ none is none }} {{ false is sameas false }} {{ 0 is sameas false }} {{ x is none }}", x=None)
f("undefined-attribute-of-undefined-fails", "{{ nothing.attr is defined }}")
f("none-through-filters", "{{ x|trim }} {{ x|string }} {{ x|default('d') }} {{ x|default('d', true) }} {{ x|tojson }}", x=None)
f("float-arithmetic-repr", "{{ 1 / 3 }} {{ 0.1 + 0.2 }} {{ 1e100 }} {{ -1.5e-10 }} {{ 3.14|string }} {{ 'a' ~ 1.0 }} {{ 2 * 0.5 }}"
  " {{ -7 // 2.0 }} {{ 7 % -3 }} {{ -0.0 }} {{ 1 + true }} {{ 10 / 5 }} {{ 1.0e-4 }} {{ 123e-7 }}")
f("division-by-zero", "{{ 1 // 0 }}")
f("string-percent-none", "{{ '%s|%s' % (none, [1]) }}")
f("selectattr-in-test", "{{ ms|selectattr('role', 'in', ['user', 'tool'])|map(attribute='c')|join(',') }} "
  "{{ ms|map(attribute='c')|select|list }} {{ ms|map(attribute='missing', default='-')|list }}",
  ms=[{"role": "user", "c": "1"}, {"role": "assistant", "c": ""}, {"role": "tool", "c": "3"}])
f("str-method-edges", "{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split(none, 1) }} {{ 'xxhixx'.strip('x') }} "
  "{{ 'Hello'.startswith('') }} {{ 'abc'.upper().lower() }} {{ 'a\\r\\nb\\rc'.splitlines() }} {{ '-'.join('abc') }} "
  "{{ 'aaa'.replace('a', 'b', 2) }} {{ 'éa'.title() }} {{ 'abc'.endswith(('x', 'c')) }} {{ 'a b'.rsplit(' ', 1) }}")
f("dict-literal-repr", "{{ {1: 'a', 'k': (1, 2), 'n': {}, 't': true} }} {{ {'a': 1}.items()|list }}")
f("range-slicing", "{{ range(5)[::-1] }} {{ range(10)[2:8:3] }} {{ range(0) }}")
f("tojson-edge-strings", "{{ s|tojson }} {{ s|tojson(ensure_ascii=true) }} {{ {'k': [1, {'z': []}]}|tojson(indent='\\t') }}",
  s="\u2028 </s> \u007f \u0000 \U0001F600 \\ \"")
f("tojson-sort-keys-nested", "{{ d|tojson(sort_keys=true) }}", d={"b": {"d": 1, "c": 2}, "a": [{"z": 0, "y": 1}]})
f("loop-in-filtered-for-with-else", "{% for x in xs if x > 5 %}{{ x }}{% else %}none>5{% endfor %}", xs=[1, 2])
f("loop-index-after-break", "{% for x in xs %}{% if loop.index > 2 %}{% break %}{% endif %}{{ loop.index }}{% endfor %}", xs=[1, 2, 3, 4])
f("conditional-chain", "{{ 'a' if x == 1 else 'b' if x == 2 else 'c' }}", x=2)
f("not-precedence", "{{ not x in [1] }} {{ not x == 1 }} {{ not x is defined }} {{ -x|abs }}", x=1)
f("filter-on-literal-and-call", "{{ [3, 1]|sort|first }} {{ ('a' ~ 'b')|upper }} {{ 'abc'|length + 1 }}")
f("items-on-non-mapping-fails", "{{ 'abc'|items|list }}")
f("deep-equality-of-messages", "{% set u = ms|selectattr('role', 'equalto', 'user')|list %}{% for m in ms %}{{ m == u[-1] }} {% endfor %}",
  ms=[{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "a"}])

# errors
f("error-undefined-attribute", "{{ nothing.attr }}")
f("error-type-add", "{{ 'a' + 1 }}")
f("error-syntax-unclosed", "line one\n{% if x %}\nno end")
f("error-syntax-unknown-tag", "ok\n\n{% frobnicate %}")
f("error-syntax-bad-expression", "{{ 1 + }}")
f("error-round-precision-type", "{{ 2.5|round('x') }}")
f("error-unknown-filter", "{{ 'x'|nosuchfilter }}")

FEATURES = F
