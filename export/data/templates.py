"""Phrasings, by situation and language. Every fourth phrasing is held out for the test split.

Fields: {sym} input token, {out} output token (address or symbol), {addr} an address,
{in_addr} the input token's address, {amt} an amount, {share} a share of the balance,
{chain} a chain name, {kw} a keyword. Slang and typos are part of the data on purpose.
"""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "search_symbol": {
        "en": ("find {sym}", "look up {sym}", "search {sym}", "what's {sym}?", "show me the {sym} token", "can you find {sym} for me",
               "serch {sym} pls", "any info on {sym}", "i'm looking for {sym}", "get me {sym}'s contract", "where can i find {sym}",
               "pull up {sym}"),
        "zh": ("查一下{sym}", "搜索{sym}", "帮我找{sym}", "{sym}是什么币", "找一下{sym}这个代币", "给我看看{sym}", "搜一下{sym}的合约",
               "我想找{sym}", "{sym}的信息", "帮忙查查{sym}", "有没有{sym}", "看下{sym}"),
        "mixed": ("帮我search一下{sym}", "查一下{sym} token", "find {sym} 这个币", "{sym}的contract address是多少", "look up一下{sym}",
                  "搜{sym} token info"),
    },
    "search_symbol_chain": {
        "en": ("find {sym} on {chain}", "look up {sym} on {chain}", "search {sym} {chain}", "{sym} on {chain}?", "show me {sym} on {chain}",
               "is there a {sym} on {chain}", "find the {chain} version of {sym}", "search for {sym} token on {chain} pls"),
        "zh": ("在{chain}上查{sym}", "查一下{chain}上的{sym}", "搜索{chain}的{sym}", "{chain}上有{sym}吗", "帮我在{chain}找{sym}",
               "找{chain}链上的{sym}", "看看{chain}上的{sym}", "{sym}在{chain}上的合约"),
        "mixed": ("search {sym} 在{chain}上", "{chain}上的{sym} token", "帮我find {sym} on {chain}", "查{sym} on {chain}"),
    },
    "search_address": {
        "en": ("what token is {addr}", "look up {addr}", "check this contract {addr}", "search {addr}", "is {addr} legit?",
               "what is {addr}", "info on {addr} please", "can you check {addr}"),
        "zh": ("查一下这个地址{addr}", "{addr}是什么币", "搜索{addr}", "帮我看看{addr}", "这个合约{addr}是什么", "查查{addr}",
               "{addr}这个币靠谱吗", "这个是什么代币：{addr}"),
        "mixed": ("check一下{addr}", "{addr} 这个token是什么", "帮我search {addr}", "look up这个地址{addr}"),
    },
    "search_keyword": {
        "en": ("find me some {kw} coins", "search tokens about {kw}", "any {kw} tokens?", "show me {kw} coins", "i want {kw} themed tokens",
               "look for {kw} projects", "what {kw} tokens are there", "search {kw} coins"),
        "zh": ("找一些{kw}相关的币", "搜索{kw}概念的代币", "有什么{kw}币", "给我看看{kw}主题的代币", "推荐点{kw}的币", "查一下{kw}类的代币",
               "搜{kw}板块", "找{kw}相关代币"),
        "mixed": ("找一些{kw} coins", "search {kw}相关的token", "有没有{kw} token", "{kw}类的coin帮我搜一下"),
    },
    "swap_amount": {
        "en": ("swap {amt} {sym} for {out}", "trade {amt} {sym} to {out}", "convert {amt} {sym} into {out}", "sell {amt} {sym} for {out}",
               "exchange {amt} {sym} for {out}", "use {amt} {sym} to buy {out}", "swp {amt} {sym} to {out}", "ape {amt} {sym} into {out}",
               "i want to swap {amt} {sym} for {out}", "please swap {amt} {sym} to {out}", "dump {amt} {sym} for {out}",
               "put {amt} {sym} into {out}"),
        "zh": ("把{amt}个{sym}换成{out}", "用{amt}{sym}买{out}", "兑换{amt}{sym}到{out}", "卖出{amt}{sym}换{out}", "{amt}{sym}换成{out}",
               "帮我用{amt}个{sym}换{out}", "我要把{amt}{sym}兑换成{out}", "拿{amt}{sym}去买{out}", "{amt}个{sym}全换成{out}",
               "把{amt}{sym}swap成{out}", "换{amt}{sym}的{out}", "用{amt}个{sym}兑换{out}"),
        "mixed": ("帮我swap {amt} {sym} 换成 {out}", "swap {amt}个{sym}到{out}", "用{amt} {sym} buy {out}", "把{amt} {sym} swap to {out}",
                  "sell {amt}{sym} 换 {out}", "{amt} {sym} 换成{out} pls"),
    },
    "swap_share": {
        "en": ("swap {share} of my {sym} for {out}", "sell {share} of my {sym} for {out}", "trade {share} of my {sym} to {out}",
               "put {share} of my {sym} into {out}", "convert {share} of my {sym} to {out}", "use {share} of my {sym} to buy {out}",
               "swap {share} my {sym} to {out}", "dump {share} of my {sym} into {out}"),
        "zh": ("把{share}的{sym}换成{out}", "用{share}的{sym}买{out}", "卖掉{share}{sym}换{out}", "我的{sym}拿{share}去换{out}",
               "把我{share}的{sym}兑换成{out}", "{sym}换{share}成{out}", "用我{share}的{sym}兑换{out}", "拿出{share}的{sym}买{out}"),
        "mixed": ("把{share}的{sym} swap成{out}", "swap {share}的{sym}到{out}", "用{share} {sym} buy {out}", "sell {share}的{sym}换{out}"),
    },
    "swap_output_amount": {
        "en": ("buy {amt} of {out} with {sym}", "get me {amt} {out} using {sym}", "i want {amt} of {out}, pay with {sym}",
               "purchase {amt} {out} with my {sym}", "use {sym} to get {amt} of {out}", "grab {amt} of {out} paying {sym}"),
        "zh": ("用{sym}买{amt}个{out}", "我想用{sym}换到{amt}个{out}", "拿{sym}买入{amt}个{out}", "用{sym}购买{amt}个{out}",
               "花{sym}买{amt}个{out}", "给我买{amt}个{out}，用{sym}付"),
        "mixed": ("用{sym} buy {amt}个{out}", "buy {amt}个{out} 用{sym}", "拿{sym} get {amt} {out}"),
    },
    "swap_input_address": {
        "en": ("swap {amt} {sym} ({in_addr}) for {out}", "sell {amt} {sym} at {in_addr} for {out}", "trade {amt} {sym} {in_addr} to {out}",
               "convert {amt} of my {sym} ({in_addr}) into {out}"),
        "zh": ("把{amt}个{sym}（{in_addr}）换成{out}", "用{amt}{sym} {in_addr} 买{out}", "卖出{amt}{sym}，合约{in_addr}，换{out}",
               "{amt}个{sym}({in_addr})兑换成{out}"),
        "mixed": ("swap {amt} {sym}（{in_addr}）换成{out}", "把{amt} {sym} {in_addr} swap to {out}"),
    },
    "swap_no_amount": {
        "en": ("swap {sym} for {out}", "trade my {sym} to {out}", "buy {out} with {sym}", "i want to swap some {sym} for {out}",
               "convert {sym} into {out}", "sell {sym} for {out}", "swap sm {sym} to {out}", "get {out} with my {sym}"),
        "zh": ("把{sym}换成{out}", "用{sym}买{out}", "我想用{sym}换{out}", "兑换{sym}到{out}", "用一些{sym}买{out}", "{sym}换{out}",
               "帮我把{sym}兑换成{out}", "拿{sym}买点{out}"),
        "mixed": ("帮我swap {sym} 换 {out}", "用{sym} buy {out}", "swap一些{sym}到{out}", "把{sym} swap成{out}"),
    },
    "swap_no_output": {
        "en": ("swap {amt} {sym}", "sell {amt} {sym}", "i want to trade {amt} {sym}", "convert {amt} {sym} please", "swap {share} of my {sym}",
               "dump {amt} {sym}"),
        "zh": ("换{amt}个{sym}", "卖掉{amt}{sym}", "我要兑换{amt}{sym}", "把{share}的{sym}换掉", "帮我swap {amt}个{sym}", "卖出{share}{sym}"),
        "mixed": ("swap {amt} {sym} 帮我", "sell {share}的{sym}", "帮我trade {amt}个{sym}"),
    },
    "follow_amount": {
        "en": ("make it {amt}", "actually {amt} instead", "change the amount to {amt}", "no wait, {amt}", "do {amt} instead",
               "sorry i meant {amt}", "let's do {amt}", "update it to {amt}"),
        "zh": ("改成{amt}个", "还是换{amt}吧", "数量改为{amt}", "不对，{amt}个", "换成{amt}", "改一下，{amt}", "算了，{amt}个吧", "调整为{amt}"),
        "mixed": ("change成{amt}", "改成{amt} pls", "还是do {amt}吧", "amount改为{amt}"),
    },
    "follow_share": {
        "en": ("make it {share}", "actually {share} of it", "use {share} instead", "change it to {share} of my balance", "no, {share}",
               "let's do {share} of it", "switch to {share}", "sorry, {share} of them"),
        "zh": ("改成{share}", "还是{share}吧", "用{share}就行", "换成{share}的仓位", "不，{share}", "改为{share}", "算了，{share}吧", "调成{share}"),
        "mixed": ("改成{share} pls", "change to {share}", "还是用{share}吧", "{share} instead吧"),
    },
    "answer_amount": {
        "en": ("{amt}", "{amt} {sym}", "let's say {amt}", "{amt} please", "about {amt}", "go with {amt}", "just {amt}", "{amt} of them"),
        "zh": ("{amt}个", "{amt}", "换{amt}个", "{amt}个{sym}", "就{amt}吧", "来{amt}个", "{amt}个就好", "先换{amt}"),
        "mixed": ("{amt} {sym}吧", "{amt}个 pls", "just {amt}个", "do {amt}"),
    },
    "follow_chain": {
        "en": ("what about on {chain}", "check {chain} instead", "on {chain} please", "try {chain}", "i meant the one on {chain}",
               "search {chain} too", "and on {chain}?", "look on {chain}"),
        "zh": ("{chain}上的呢", "换成{chain}查", "在{chain}上找", "查{chain}的", "我说的是{chain}上的", "{chain}上有吗", "再看看{chain}", "改成{chain}"),
        "mixed": ("{chain}上的呢 check一下", "try {chain}吧", "在{chain} search", "look on {chain}上"),
    },
    "off_topic": {"en": ("{text}",), "zh": ("{text}",), "mixed": ("{text} pls", "hey {text}", "{text}呢", "请问{text}")},
}
