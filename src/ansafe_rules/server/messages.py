"""Every message of the service itself, in Chinese and English (Chinese first). ``lang`` picks
one; the library's own messages (a finding's reason, an input error's detail) are passed
through as the library writes them."""

from __future__ import annotations

from typing import Literal

__all__ = ["PROBLEMS", "Lang", "text"]

Lang = Literal["zh", "en"]

# problem type slug -> (zh title, en title); the type URI is urn:ansafe-rules:problem:<slug>
PROBLEMS: dict[str, tuple[str, str]] = {
    "invalid-parameter": ("查询参数无效", "Invalid query parameter"),
    "unsupported-media-type": ("不支持的请求体格式", "Unsupported request body format"),
    "invalid-case": ("保单案例无法评估", "The policy case cannot be evaluated"),
    "unknown-jurisdiction": ("未知的辖区规则集", "Unknown jurisdiction"),
    "unknown-layer": ("规则集中没有该层级", "The ruleset has no such layer"),
    "unknown-schema": ("未知的模式名称", "Unknown schema name"),
    "body-too-large": ("请求体过大", "Request body too large"),
    "batch-too-long": ("批量行数过多", "Too many lines in the batch"),
    "body-timeout": ("读取请求体超时", "Timed out reading the request body"),
    "incomplete-body": ("请求体不完整", "Incomplete request body"),
    "timeout": ("评估超时", "Evaluation timed out"),
    "not-found": ("未找到该路径", "No such path"),
    "method-not-allowed": ("不允许的请求方法", "Method not allowed"),
    "http-error": ("请求错误", "Bad request"),
    "internal-error": ("服务内部错误", "Internal error"),
}

_TEXT: dict[str, tuple[str, str]] = {
    "body_limit": (
        "请求体超过 {limit:,} 字节的上限（max_body_bytes）",
        "the request body is larger than the limit of {limit:,} bytes (max_body_bytes)",
    ),
    "batch_limit": (
        "批量有 {n:,} 行，超过 {limit:,} 行的上限（max_batch_lines）",
        "the batch has {n:,} lines, more than the limit of {limit:,} (max_batch_lines)",
    ),
    "body_timeout": (
        "{seconds:g} 秒内未收到完整的请求体（read_timeout_seconds）",
        "the request body did not arrive within {seconds:g} s (read_timeout_seconds)",
    ),
    "case_timeout": (
        "{where}：评估超过 {seconds:g} 秒（timeout_seconds）",
        "{where}: evaluation took longer than {seconds:g} s (timeout_seconds)",
    ),
    "incomplete_body": (
        "客户端在发送完请求体之前断开了连接",
        "the client went away before sending the whole body",
    ),
    "no_ical": (
        "request：该保单的义务无法写成 iCalendar（{why}）；format=json 可用",
        "request: the policy's obligations cannot be written as iCalendar ({why}); format=json can",
    ),
    "media_type": (
        "Content-Type 为 {got!r}；应为 {allowed}",
        "Content-Type is {got!r}; expected {allowed}",
    ),
    "unknown_jurisdiction": (
        "参数 {field!r}：{name!r} 不是已加载的辖区；可用：{available}",
        "parameter {field!r}: {name!r} is not a loaded jurisdiction; available: {available}",
    ),
    "unknown_layer": (
        "参数 'layer'：规则集 {ruleset!r} 没有层级 {layer!r}；其层级：{layers}",
        "parameter 'layer': ruleset {ruleset!r} has no layer {layer!r}; its layers: {layers}",
    ),
    "unknown_in_force_layer": (
        "参数 'in_force'：{layer!r} 不是已加载的辖区；可用：{available}",
        "parameter 'in_force': {layer!r} is not a loaded jurisdiction; available: {available}",
    ),
    "bad_in_force": (
        "参数 'in_force'：应为 LAYER=YYYY-MM-DD，收到 {value!r}",
        "parameter 'in_force': expected LAYER=YYYY-MM-DD, got {value!r}",
    ),
    "calendar_year": (
        "参数 {field!r}：{day} 超出日历可扩展的年份范围 {first}–{last}",
        "parameter {field!r}: {day} is outside the years the calendar can cover, {first}-{last}",
    ),
    "calendar_clash": (
        "参数 'holiday'/'workday'：{days} 同时被列为放假日和上班日",
        "parameters 'holiday'/'workday': {days} listed both as holiday and as workday",
    ),
    "unknown_schema": (
        "没有名为 {name!r} 的模式；可用：{available}",
        "no schema named {name!r}; available: {available}",
    ),
    "not_found": (
        "没有路径 {path}；接口见 /v1/openapi.json",
        "no path {path}; see /v1/openapi.json",
    ),
    "method": ("{path} 不接受 {method}", "{path} does not accept {method}"),
    "parameter": ("参数 {field!r}：{message}", "parameter {field!r}: {message}"),
}


def text(key: str, lang: Lang, **values: object) -> str:
    """The service message ``key`` in ``lang``, filled in."""
    zh, en = _TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def title(slug: str, lang: Lang) -> str:
    """The title of problem type ``slug`` in ``lang``."""
    zh, en = PROBLEMS[slug]
    return zh if lang == "zh" else en
