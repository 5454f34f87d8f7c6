"""Writes the client module's hand-made test data (run from the repository root):

- client/src/test/resources/gsm8k/sample.jsonl: eight GSM8K-format questions written for the tests
  (not taken from the dataset), answers worked with <<calc>> annotations and ending in '#### N';
- client/src/test/resources/bench/wordlevel/tokenizer.json: a tiny WordLevel tokenizer (whitespace split);
- client/src/test/resources/bench/sharegpt_tiny.json: a four-conversation ShareGPT-format file;
- client/src/test/resources/bench/outcomes.json: irregular synthetic request outcomes for the metrics golden
  (then run make_result_block_golden.py).
"""
import json
import os
import random

RES = "client/src/test/resources"

QUESTIONS = [
    ("A baker fills 6 trays with 12 rolls each. She sells 50 rolls. How many rolls are left?",
     "She baked 6 * 12 = <<6*12=72>>72 rolls.\nAfter selling 50 she has 72 - 50 = <<72-50=22>>22 rolls.\n#### 22"),
    ("Tom reads 15 pages a day for 4 days and then 20 pages on the fifth day. How many pages did he read in total?",
     "In four days he read 15 * 4 = <<15*4=60>>60 pages.\nWith the fifth day he read 60 + 20 = <<60+20=80>>80 pages.\n#### 80"),
    ("A bike costs $240. Mia has saved $95 and earns $25 a week. How many more weeks must she save to buy the bike?",
     "She still needs 240 - 95 = <<240-95=145>>145 dollars.\nAt 25 a week that is 145 / 25 = <<145/25=5.8>>5.8, so 6 weeks.\n#### 6"),
    ("A garden has 3 rows of 14 tulips and 2 rows of 9 roses. How many flowers are in the garden?",
     "Tulips: 3 * 14 = <<3*14=42>>42.\nRoses: 2 * 9 = <<2*9=18>>18.\nTotal: 42 + 18 = <<42+18=60>>60.\n#### 60"),
    ("Sam buys 4 notebooks at $3 each and a pen for $2. He pays with a $20 bill. How much change does he get?",
     "Notebooks cost 4 * 3 = <<4*3=12>>12 dollars.\nWith the pen he spends 12 + 2 = <<12+2=14>>14 dollars.\nHis change is 20 - 14 = <<20-14=6>>6 dollars.\n#### 6"),
    ("A train travels 180 miles in 3 hours. At the same speed, how far does it travel in 5 hours?",
     "Its speed is 180 / 3 = <<180/3=60>>60 miles per hour.\nIn 5 hours it goes 60 * 5 = <<60*5=300>>300 miles.\n#### 300"),
    ("A school orders 1,250 pencils and hands out 35 to each of 30 classes. How many pencils remain?",
     "It hands out 35 * 30 = <<35*30=1050>>1,050 pencils.\nThere remain 1,250 - 1,050 = <<1250-1050=200>>200 pencils.\n#### 200"),
    ("Lena has twice as many stamps as Omar, who has 17 stamps. How many stamps do they have together?",
     "Lena has 2 * 17 = <<2*17=34>>34 stamps.\nTogether they have 34 + 17 = <<34+17=51>>51 stamps.\n#### 51"),
]


def main():
    os.makedirs(f"{RES}/gsm8k", exist_ok=True)
    os.makedirs(f"{RES}/bench/wordlevel", exist_ok=True)
    with open(f"{RES}/gsm8k/sample.jsonl", "w") as f:
        for q, a in QUESTIONS:
            f.write(json.dumps({"question": q, "answer": a}) + "\n")

    vocab = {"<unk>": 0}
    for w in ["tok%d" % i for i in range(40)] + "the of and to in is a hello world".split():
        vocab[w] = len(vocab)
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": 0, "content": "<unk>", "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True}],
        "normalizer": None, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": None, "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"},
    }
    json.dump(tokenizer, open(f"{RES}/bench/wordlevel/tokenizer.json", "w"), indent=1)

    conversations = [
        {"id": "a", "conversations": [{"from": "human", "value": "hello world the of"},
                                      {"from": "gpt", "value": "tok1 tok2 tok3 tok4 tok5"}]},
        {"id": "b", "conversations": [{"from": "human", "value": "only one turn"}]},
        {"id": "c", "conversations": [{"from": "human", "value": "a hello"}, {"from": "gpt", "value": "tok7 tok8"}]},
        {"id": "d", "conversation": [{"from": "human", "value": "in the world"}, {"from": "gpt", "value": "tok9"}]},
    ]
    json.dump(conversations, open(f"{RES}/bench/sharegpt_tiny.json", "w"), indent=1)

    r = random.Random(7)
    outcomes = []
    for i in range(9):
        n = [1, 2, 5, 17, 3, 64, 8, 1, 12][i]
        ttft = round(0.05 + r.random() * 0.4, 6)
        itl = [round(0.005 + r.random() * 0.03, 6) for _ in range(max(0, n - 1))]
        latency = round(ttft + sum(itl) + r.random() * 0.002, 6)
        outcomes.append(dict(success=(i != 4), latency=latency, ttft=ttft, itl=itl,
                             prompt_len=[7, 120, 33, 900, 5, 1024, 64, 2, 300][i], output_len=n))
    spec = dict(backend="sglang-oai", request_rate=2.5, max_concurrency=4, duration=3.731, outcomes=outcomes)
    json.dump(spec, open(f"{RES}/bench/outcomes.json", "w"), indent=1)


if __name__ == "__main__":
    main()
