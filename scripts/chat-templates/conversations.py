"""Conversations rendered through every real chat template (OpenAI-style messages as the server receives them)."""
from datetime import datetime

FIXED_NOW = datetime(2026, 3, 7, 9, 5, 3)

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. Paris"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7, "default": 1},
                "precision": {"type": "number", "default": 0.5},
            },
            "required": ["city"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Current time in a time zone — «naïve» input accepted",
        "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}, "required": []},
    },
}

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
USER1 = {"role": "user", "content": "Hello! What's 2+2?"}
ASSIST1 = {"role": "assistant", "content": "2+2 is 4."}
USER2 = {"role": "user", "content": "  And in French, s'il vous plaît?  \n"}
ASSIST2 = {"role": "assistant", "content": "Quatre. 🙂"}
USER3 = {"role": "user", "content": "Merci — 谢谢! Now \"quote\" this: {\"a\": [1, 2]}\ttab\\backslash"}


def tool_exchange(args, call_content=None):
    return [
        SYSTEM,
        {"role": "user", "content": "What's the weather in Paris and Tokyo?"},
        {"role": "assistant", "content": call_content, "tool_calls": [
            {"id": "call12345", "type": "function", "function": {"name": "get_weather", "arguments": args[0]}},
        ]},
        {"role": "tool", "tool_call_id": "call12345", "name": "get_weather", "content": "{\"temp\": 21, \"sky\": \"clear\"}"},
        {"role": "assistant", "content": "It is 21 °C and clear in Paris."},
        {"role": "user", "content": "And Tokyo?"},
        {"role": "assistant", "content": call_content, "tool_calls": [
            {"id": "callABCDE", "type": "function", "function": {"name": "get_weather", "arguments": args[1]}},
        ]},
        {"role": "tool", "tool_call_id": "callABCDE", "name": "get_weather", "content": "18 degrees, rain"},
    ]


def parallel_calls(args):
    return [
        {"role": "user", "content": "Weather in Paris, and the time in Tokyo?"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "call00001", "type": "function", "function": {"name": "get_weather", "arguments": args[0]}},
            {"id": "call00002", "type": "function", "function": {"name": "get_time", "arguments": args[2]}},
        ]},
        {"role": "tool", "tool_call_id": "call00001", "content": "sunny"},
        {"role": "tool", "tool_call_id": "call00002", "content": "21:04"},
    ]


STRING_ARGS = ["{\"city\": \"Paris\"}", "{\"city\": \"Tokyo\", \"unit\": \"celsius\"}", "{\"tz\": \"Asia/Tokyo\"}"]
DICT_ARGS = [{"city": "Paris"}, {"city": "Tokyo", "unit": "celsius"}, {"tz": "Asia/Tokyo"}]


def conv(name, messages, add_generation_prompt, tools=None, **kwargs):
    c = {"name": name, "messages": messages, "add_generation_prompt": add_generation_prompt}
    if tools is not None:
        c["tools"] = tools
    if kwargs:
        c["kwargs"] = kwargs
    return c


CONVERSATIONS = [
    conv("user-only+gen", [USER1], True),
    conv("user-only", [USER1], False),
    conv("system+user+gen", [SYSTEM, USER1], True),
    conv("multi-turn+gen", [SYSTEM, USER1, ASSIST1, USER2, ASSIST2, USER3], True),
    conv("multi-turn-ends-assistant", [USER1, ASSIST1, USER2, ASSIST2], False),
    conv("multi-turn-no-system+gen", [USER1, ASSIST1, USER2, ASSIST2, USER3], True),
    conv("roles-not-alternating", [USER1, USER2], True),
    conv("tools-declared+gen", [SYSTEM, {"role": "user", "content": "What's the weather in Paris?"}], True,
         tools=[WEATHER_TOOL, TIME_TOOL]),
    conv("tool-calls-string-args+gen", tool_exchange(STRING_ARGS), True, tools=[WEATHER_TOOL, TIME_TOOL]),
    conv("tool-calls-dict-args+gen", tool_exchange(DICT_ARGS), True, tools=[WEATHER_TOOL, TIME_TOOL]),
    conv("tool-calls-empty-content+gen", tool_exchange(STRING_ARGS, ""), True, tools=[WEATHER_TOOL, TIME_TOOL]),
    conv("parallel-tool-calls-dict-args", parallel_calls(DICT_ARGS), True, tools=[WEATHER_TOOL, TIME_TOOL]),
    conv("thinking-history+gen", [USER1, {"role": "assistant", "content": "<think>\nThe user asks 2+2.\n</think>\n\n4."},
                                  USER2], True),
    conv("reasoning-content-last", [USER1, {"role": "assistant", "content": "4.",
                                            "reasoning_content": "Simple arithmetic."}], False),
    conv("content-parts+gen", [{"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
                               {"role": "user", "content": [{"type": "text", "text": "Describe "},
                                                            {"type": "text", "text": "this."}]}], True),
    conv("enable-thinking-false+gen", [SYSTEM, USER1], True, enable_thinking=False),
    conv("enable-thinking-true+gen", [SYSTEM, USER1], True, enable_thinking=True),
]
