#!/usr/bin/env python3
"""Generate PayCryptModel's Swift wire types and schemas from botocore's AWS service models.

Reads the two AWS Payment Cryptography models that the installed botocore ships and writes, for each
service, a file of Swift types (structures, string enums, unions, operation names) and a file of
schema (shapes with their constraints, operations with their HTTP bindings, errors) into
Sources/PayCryptModel/Generated/. The runtime that uses the schema is handwritten, in
Sources/PayCryptModel/Runtime/.

Usage:
    python3 scripts/generate_model.py           # (re)write the generated files
    python3 scripts/generate_model.py --check   # exit 1 if the committed files differ

The output depends only on the models (and botocore's version, which each file's header records),
so the same botocore always produces the same bytes.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import html
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import botocore

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "Sources" / "PayCryptModel" / "Generated"


@dataclass(frozen=True)
class Service:
    namespace: str  # Swift namespace enum
    name: str  # botocore service name
    version: str  # API version
    title: str  # for doc comments


SERVICES = [
    Service("DataPlane", "payment-cryptography-data", "2022-02-03", "data plane"),
    Service("ControlPlane", "payment-cryptography", "2021-09-14", "control plane"),
]

PROTOCOLS = {"rest-json": "restJson1", "json": "awsJson1_0"}

SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
    "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
    "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch",
    "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat",
    "return", "throw", "switch", "where", "while", "Any", "as", "false", "is", "nil", "self", "Self",
    "super", "throws", "true", "try", "await", "async", "Type", "Protocol",
}

# Names the generated code itself declares or relies on inside each namespace.
RESERVED_TYPE_NAMES = {
    "ModelShape", "Operation", "CodingKeys", "WireShape", "WireError", "ServiceSchema", "ShapeSchema",
    "MemberSchema", "OperationSchema", "ErrorSchema", "HTTPBinding", "String", "Int", "Bool", "Double",
    "Codable", "Sendable", "Equatable", "Error", "Decoder", "Encoder", "DecodingError", "CodingKey",
    "JSONValue", "WireDecodable", "WireEncodable", "WireStringEnum", "WireDecodingError", "WireObjectReader",
    "WireObjectWriter", "EncodingError", "StaticString", "UInt8", "WireByteReader", "WireByteDecodable",
    "WireFallback",
}

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ModelError(Exception):
    """The model has something this generator does not know how to map."""


def botocore_data_dir() -> Path:
    return Path(botocore.__file__).resolve().parent / "data"


def load_model(service: Service) -> dict:
    path = botocore_data_dir() / service.name / service.version / "service-2.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


# --- names -------------------------------------------------------------------------------------


def escape_identifier(name: str) -> str:
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def lower_camel(name: str) -> str:
    """`KeyIdentifier` -> `keyIdentifier`, `fieldList` -> `fieldList`, `KSNValue` -> `ksnValue`."""
    run = len(name) - len(name.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if run == 0:
        result = name
    elif run == len(name):
        result = name.lower()
    elif run > 1 and name[run].islower():
        result = name[: run - 1].lower() + name[run - 1 :]
    else:
        result = name[:run].lower() + name[run:]
    if not IDENTIFIER.match(result):
        raise ModelError(f"member name {name!r} is not a Swift identifier")
    return escape_identifier(result)


def enum_case_name(raw: str) -> str:
    """`TR31_M3_ISO_9797_3_MAC_KEY` -> `tr31M3Iso9797_3MacKey`, `TDES_2KEY` -> `tdes2Key`
    (digit groups of adjacent parts stay apart)."""
    parts = [part for part in re.split(r"[^A-Za-z0-9]+", raw) if part]
    if not parts:
        raise ModelError(f"enum value {raw!r} has no letters or digits")
    name = ""
    for index, part in enumerate(parts):
        piece = part.lower()
        if index:
            # Capitalize the first letter, after any leading digits: `2KEY` -> `2Key`.
            piece = re.sub(r"^([0-9]*)([a-z])", lambda m: m.group(1) + m.group(2).upper(), piece)
        if name and name[-1].isdigit() and piece[0].isdigit():
            name += "_"
        name += piece
    if name[0].isdigit():
        name = "_" + name
    return escape_identifier(name)


# --- text --------------------------------------------------------------------------------------


def first_sentence(documentation: str | None) -> str | None:
    """The first sentence of an HTML documentation string, as plain text on one line."""
    if not documentation:
        return None
    text = html.unescape(re.sub(r"<[^>]+>", " ", documentation))
    text = " ".join(text.split())
    if not text:
        return None
    end = re.search(r"(?<!e\.g)(?<!i\.e)(?<!etc)\.(?=\s|$)", text)
    if end:
        text = text[: end.end()]
    if len(text) > 240:
        text = text[:237].rsplit(" ", 1)[0] + "..."
    return text


def swift_string(value: str) -> str:
    """A Swift string literal for `value`: plain when possible, else a raw string with enough `#`."""
    if all(c not in value for c in '\\"') and all(ord(c) >= 0x20 for c in value):
        return f'"{value}"'
    if any(ord(c) < 0x20 for c in value):
        raise ModelError(f"control character in string {value!r}")
    hashes = "#"
    while f'"{hashes}' in value or f"\\{hashes}" in value:
        hashes += "#"
    return f'{hashes}"{value}"{hashes}'


def doc_lines(text: str | None, indent: str, fallback: str) -> list[str]:
    return [f"{indent}/// {text or fallback}"]


# --- model analysis ----------------------------------------------------------------------------


class Model:
    def __init__(self, service: Service, model: dict):
        self.service = service
        self.model = model
        self.shapes: dict[str, dict] = model["shapes"]
        self.metadata: dict = model["metadata"]
        self.indirect_unions = self._find_recursion()
        self.request_shapes = self._request_shapes()
        self._check_names()

    def kind(self, name: str) -> str:
        shape = self.shapes[name]
        if shape["type"] == "structure" and shape.get("union"):
            return "union"
        return shape["type"]

    def has_type(self, name: str) -> bool:
        """Whether the shape becomes a Swift type of its own."""
        shape = self.shapes[name]
        return shape["type"] == "structure" or (shape["type"] == "string" and "enum" in shape)

    def swift_type(self, name: str) -> str:
        shape = self.shapes[name]
        kind = shape["type"]
        if kind == "structure":
            return name
        if kind == "string":
            return name if "enum" in shape else "Swift.String"
        if kind in ("integer", "long"):
            return "Swift.Int"
        if kind == "boolean":
            return "Swift.Bool"
        if kind in ("timestamp", "double", "float"):
            return "Swift.Double"
        if kind == "blob":
            return "Swift.String"
        if kind == "list":
            return f"[{self.swift_type(shape['member']['shape'])}]"
        if kind == "map":
            return f"[Swift.String: {self.swift_type(shape['value']['shape'])}]"
        raise ModelError(f"shape {name} has unsupported type {kind}")

    def type_names(self) -> list[str]:
        return sorted(name for name in self.shapes if self.has_type(name))

    def _check_names(self) -> None:
        for name in self.type_names():
            if not IDENTIFIER.match(name) or name in RESERVED_TYPE_NAMES or name in SWIFT_KEYWORDS:
                raise ModelError(f"shape name {name!r} cannot be a Swift type in {self.service.namespace}")
            shape = self.shapes[name]
            if shape["type"] == "structure":
                properties = [lower_camel(member) for member in shape.get("members", {})]
                if len(set(properties)) != len(properties):
                    raise ModelError(f"{name}: two members map to the same Swift name")
            else:
                cases = [enum_case_name(value) for value in shape["enum"]]
                if len(set(cases)) != len(cases):
                    raise ModelError(f"{name}: two enum values map to the same Swift case")

    def _request_shapes(self) -> set[str]:
        """The structures and unions that operation inputs contain (the inputs too): the shapes that
        get a one-pass reader (Runtime/WireByteReader.swift)."""
        found: set[str] = set()
        stack = [operation["input"]["shape"] for operation in self.model["operations"].values() if "input" in operation]
        while stack:
            name = stack.pop()
            shape = self.shapes[name]
            kind = shape["type"]
            if kind == "structure":
                if name in found:
                    continue
                found.add(name)
                stack += [member["shape"] for member in shape.get("members", {}).values()]
            elif kind == "list":
                stack.append(shape["member"]["shape"])
            elif kind == "map":
                stack.append(shape["value"]["shape"])
        return found

    def _find_recursion(self) -> set[str]:
        """Unions on a cycle of direct (non-collection) references become `indirect`; such a cycle
        through structures alone cannot be a Swift value type and is refused."""
        def direct_targets(name: str) -> list[str]:
            shape = self.shapes[name]
            if shape["type"] != "structure":
                return []
            return [m["shape"] for m in shape.get("members", {}).values()
                    if self.shapes[m["shape"]]["type"] == "structure"]

        indirect: set[str] = set()
        for start in self.shapes:
            stack = [(start, [start])]
            seen: set[str] = set()
            while stack:
                current, trail = stack.pop()
                for target in direct_targets(current):
                    if target == start:
                        unions = [n for n in trail if self.kind(n) == "union"]
                        if not unions:
                            raise ModelError(f"structures refer to themselves: {' -> '.join(trail)}")
                        indirect.update(unions)
                    elif target not in seen:
                        seen.add(target)
                        stack.append((target, trail + [target]))
        return indirect


# --- Swift types -------------------------------------------------------------------------------


def header(service: Service) -> list[str]:
    return [
        f"// Code generated by scripts/generate_model.py from botocore {botocore.__version__}",
        f"// ({service.name} {service.version}). DO NOT EDIT: change the generator and rerun it.",
        "",
    ]


def render_types(model: Model) -> str:
    service = model.service
    ns = service.namespace
    protocol = PROTOCOLS[model.metadata["protocol"]]
    lines = header(service) + [
        f"/// Wire shapes of AWS Payment Cryptography's {service.title} (`{service.name}`, {protocol}).",
        f"public enum {ns} {{",
        f"    /// A structure or union of the {service.title} model.",
        "    public protocol ModelShape: WireShape {}",
        "}",
        "",
        f"extension {ns}.ModelShape {{",
        f"    /// The {service.title} schema.",
        f"    public static var wireService: ServiceSchema {{ {ns}.service }}",
        "}",
        "",
        f"extension {ns} {{",
    ]
    for index, name in enumerate(model.type_names()):
        if index:
            lines.append("")
        shape = model.shapes[name]
        if shape["type"] == "string":
            lines += render_enum(name, shape)
        elif shape.get("union"):
            lines += render_union(model, name, shape)
        else:
            lines += render_struct(model, name, shape)
    lines.append("")
    lines += render_operation_enum(model)
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_enum(name: str, shape: dict) -> list[str]:
    lines = doc_lines(first_sentence(shape.get("documentation")), "    ", f"The `{name}` enumeration.")
    lines.append(f"    public enum {name}: Swift.String, Codable, Sendable, CaseIterable, WireStringEnum {{")
    for value in shape["enum"]:
        lines.append(f"        /// `{value}`")
        lines.append(f"        case {enum_case_name(value)} = {swift_string(value)}")
    lines.append("    }")
    return lines


def member_docs(member: dict, target: dict, fallback: str, indent: str) -> list[str]:
    lines = doc_lines(first_sentence(member.get("documentation")), indent, fallback)
    if target.get("sensitive"):
        lines.append(f"{indent}///")
        lines.append(f"{indent}/// Sensitive: never log or echo this value.")
    return lines


def render_struct(model: Model, name: str, shape: dict) -> list[str]:
    members: dict = shape.get("members", {})
    required = set(shape.get("required", []))
    is_error = bool(shape.get("exception"))
    conformances = "Codable, Sendable, Equatable, ModelShape" + (", WireError" if is_error else "")
    lines = doc_lines(first_sentence(shape.get("documentation")), "    ", f"The `{name}` structure.")
    lines.append(f"    public struct {name}: {conformances} {{")
    params = []
    for member_name, member in members.items():
        prop = lower_camel(member_name)
        swift_type = model.swift_type(member["shape"])
        optional = member_name not in required
        lines += member_docs(member, model.shapes[member["shape"]], f"The `{member_name}` member.", "        ")
        lines.append(f"        public var {prop}: {swift_type}{'?' if optional else ''}")
        params.append((prop, swift_type + ("? = nil" if optional else "")))
    if members:
        lines.append("")
    lines.append("        /// Creates the shape from its members.")
    if not params:
        lines.append("        public init() {}")
    else:
        signature = ", ".join(f"{p}: {t}" for p, t in params)
        if len(signature) <= 80:
            lines.append(f"        public init({signature}) {{")
        else:
            lines.append("        public init(")
            lines += [f"            {p}: {t}{',' if i < len(params) - 1 else ''}" for i, (p, t) in enumerate(params)]
            lines.append("        ) {")
        lines += [f"            self.{p.strip('`')} = {p}" for p, _ in params]
        lines.append("        }")
    lines.append("")
    lines.append("        /// The shape's name in the model.")
    lines.append(f"        public static var wireShapeName: Swift.String {{ {swift_string(name)} }}")
    if members:
        lines.append("")
        lines.append("        enum CodingKeys: Swift.String, CodingKey {")
        for member_name in members:
            lines.append(f"            case {lower_camel(member_name)} = {swift_string(member_name)}")
        lines.append("        }")
    lines += render_struct_direct(model, shape)
    if name in model.request_shapes:
        lines += render_struct_bytes(model, name, shape)
    lines.append("    }")
    return lines


# Direct wire coding (Runtime/DirectWire.swift): each shape reads its members out of a validated tree
# and writes its JSON bytes itself. Members decode in model order (the order Codable's synthesized
# init(from:) decodes them, so the first failure is the same) and are written in sorted key order
# (the order JSONWriter writes object keys in; model member names are ASCII identifiers, so Python's
# and Swift's string orders agree).

DIRECT_DECODE_DOC = "        /// Decodes the shape from a validated tree: `null` members are absent, unknown ones ignored."
DIRECT_WRITE_DOC = "        /// Writes the shape's compact JSON, byte for byte as `Wire.encode` writes it."


def property_name(member_name: str) -> str:
    return lower_camel(member_name).strip("`")


def render_struct_direct(model: Model, shape: dict) -> list[str]:
    members: dict = shape.get("members", {})
    required = set(shape.get("required", []))
    lines = ["", DIRECT_DECODE_DOC, "        public init(wireTree: JSONValue) throws(WireDecodingError) {"]
    if members:
        lines.append("            let wireReader = try WireObjectReader(wireTree)")
        for member_name in members:
            getter = "required" if member_name in required else "optional"
            lines.append(f"            self.{property_name(member_name)} = try wireReader.{getter}({swift_string(member_name)})")
    else:
        # Codable's synthesized init(from:) of a memberless structure reads nothing, so any value
        # decodes (validation has already required an object).
        lines[-2:] = [
            "        /// Decodes the shape: it has no members, so any value decodes, as through `Codable`.",
            "        public init(wireTree: JSONValue) {}",
        ]
    if members:
        lines.append("        }")
    lines += ["", DIRECT_WRITE_DOC, "        public func writeWire(into out: inout [UInt8]) throws(EncodingError) {"]
    if members:
        lines.append("            var wireWriter = WireObjectWriter(into: &out)")
        for member_name in sorted(members):
            lines.append(f"            try wireWriter.member({swift_string(member_name)}, self.{property_name(member_name)}, into: &out)")
    else:
        lines.append("            let wireWriter = WireObjectWriter(into: &out)")
    lines += ["            wireWriter.end(into: &out)", "        }"]
    resource = resource_expression(model, shape)
    if resource:
        lines += [
            "",
            "        /// The resource the shape names (`KeyArn`, else `Key.KeyArn`, else `Alias.AliasName`).",
            f"        public var wireResource: Swift.String? {{ {resource} }}",
        ]
    return lines


def resource_expression(model: Model, shape: dict) -> str | None:
    """The Swift expression of `WireShape.wireResource` for a structure, or None for the default
    (`nil`): its `KeyArn` string member, else its `Key` structure's `KeyArn`, else its `Alias`
    structure's `AliasName`, the members the server logs as the resource a response names."""
    members: dict = shape.get("members", {})
    required = set(shape.get("required", []))

    def plain_string(shape_name: str) -> bool:
        target = model.shapes[shape_name]
        return target["type"] == "string" and "enum" not in target

    candidates: list[tuple[str, bool]] = []  # (expression, whether it can be nil)
    if "KeyArn" in members and plain_string(members["KeyArn"]["shape"]):
        candidates.append((f"self.{property_name('KeyArn')}", "KeyArn" not in required))
    for outer, inner in (("Key", "KeyArn"), ("Alias", "AliasName")):
        if outer not in members or model.kind(members[outer]["shape"]) != "structure":
            continue
        target = model.shapes[members[outer]["shape"]]
        if inner not in target.get("members", {}) or not plain_string(target["members"][inner]["shape"]):
            continue
        outer_optional = outer not in required
        inner_optional = inner not in set(target.get("required", []))
        chain = "?" if outer_optional else ""
        candidates.append((f"self.{property_name(outer)}{chain}.{property_name(inner)}", outer_optional or inner_optional))
    expression: list[str] = []
    for text, optional in candidates:
        expression.append(text)
        if not optional:
            break
    return " ?? ".join(expression) or None


def render_union(model: Model, name: str, shape: dict) -> list[str]:
    members: dict = shape["members"]
    indirect = "indirect " if name in model.indirect_unions else ""
    lines = doc_lines(first_sentence(shape.get("documentation")), "    ", f"The `{name}` union.")
    lines.append("    ///")
    lines.append("    /// A union: exactly one member is set on the wire.")
    lines.append(f"    public {indirect}enum {name}: Codable, Sendable, Equatable, ModelShape {{")
    for member_name, member in members.items():
        lines += member_docs(member, model.shapes[member["shape"]], f"The `{member_name}` member.", "        ")
        lines.append(f"        case {lower_camel(member_name)}({model.swift_type(member['shape'])})")
    lines += [
        "",
        "        /// The shape's name in the model.",
        f"        public static var wireShapeName: Swift.String {{ {swift_string(name)} }}",
        "",
        "        enum CodingKeys: Swift.String, CodingKey {",
    ]
    lines += [f"            case {lower_camel(m)} = {swift_string(m)}" for m in members]
    lines += [
        "        }",
        "",
        "        /// Decodes the one member that is set; `null` members count as absent and unknown ones are ignored.",
        "        public init(from decoder: any Swift.Decoder) throws {",
        "            let container = try decoder.container(keyedBy: CodingKeys.self)",
        "            let present = try container.allKeys.filter { try !container.decodeNil(forKey: $0) }",
        "            guard present.count == 1, let key = present.first else {",
        "                throw Swift.DecodingError.dataCorrupted(",
        "                    .init(codingPath: decoder.codingPath,",
        f"                          debugDescription: {swift_string(f'Exactly one member of {name} must be set.')}))",
        "            }",
        "            switch key {",
    ]
    for member_name, member in members.items():
        case = lower_camel(member_name)
        lines.append(f"            case .{case.strip('`')}:")
        lines.append(
            f"                self = .{case.strip('`')}(try container.decode({model.swift_type(member['shape'])}.self, forKey: .{case.strip('`')}))"
        )
    lines += [
        "            }",
        "        }",
        "",
        "        /// Encodes the member that is set, and only it.",
        "        public func encode(to encoder: any Swift.Encoder) throws {",
        "            var container = encoder.container(keyedBy: CodingKeys.self)",
        "            switch self {",
    ]
    for member_name in members:
        case = lower_camel(member_name).strip("`")
        lines.append(f"            case .{case}(let value):")
        lines.append(f"                try container.encode(value, forKey: .{case})")
    lines += ["            }", "        }"]
    lines += render_union_direct(members)
    if name in model.request_shapes:
        lines += render_union_bytes(model, name, members)
    lines.append("    }")
    return lines


def render_union_direct(members: dict) -> list[str]:
    names = list(members)
    lines = [
        "",
        "        /// Decodes the one member that is set; `null` members count as absent and unknown ones are ignored.",
        "        public init(wireTree: JSONValue) throws(WireDecodingError) {",
        "            let wireReader = try WireObjectReader(wireTree)",
        "            switch try wireReader.onlyMember(of: Self.wireMemberNames) {",
    ]
    for index, member_name in enumerate(names):
        label = "default" if index == len(names) - 1 else f"case {swift_string(member_name)}"
        lines.append(f"            {label}: self = .{property_name(member_name)}(try wireReader.required({swift_string(member_name)}))")
    lines += [
        "            }",
        "        }",
        "",
        "        private static let wireMemberNames: [Swift.String] = [" + ", ".join(swift_string(n) for n in names) + "]",
        "",
        "        /// Writes the member that is set, and only it, as `Wire.encode` writes it.",
        "        public func writeWire(into out: inout [UInt8]) throws(EncodingError) {",
        "            var wireWriter = WireObjectWriter(into: &out)",
        "            switch self {",
    ]
    for member_name in names:
        case = property_name(member_name)
        lines.append(f"            case .{case}(let value): try wireWriter.member({swift_string(member_name)}, value, into: &out)")
    lines += ["            }", "            wireWriter.end(into: &out)", "        }"]
    return lines


# One-pass readers (Runtime/WireByteReader.swift) for the shapes inside operation inputs: each reads
# its members from the body's bytes in any order, checks each against the member's target shape, and
# throws WireFallback (the tree path decodes the body instead) for anything outside the reader's
# subset. The member targets come from the service schema, in model member order.

BYTES_DOC = "        /// Reads the shape in one pass from JSON bytes, checked against the model (`WireByteReader`)."


def bytes_targets(model: Model, name: str) -> list[str]:
    return [
        "",
        "        private static let wireTargets = wireService.memberTargets(ofShapeNamed: " + swift_string(name) + ")",
    ]


def render_struct_bytes(model: Model, name: str, shape: dict) -> list[str]:
    members: dict = shape.get("members", {})
    required = set(shape.get("required", []))
    lines = ["", BYTES_DOC,
             "        public init(wireBytes reader: inout WireByteReader, shape: ShapeSchema?) throws(WireFallback) {"]
    if not members:
        lines += [
            "            try reader.beginObject()",
            "            guard try !reader.nextMember() else { throw WireFallback() }",
            "        }",
        ]
        return lines
    names = list(members)
    lines += [
        "            let targets = Self.wireTargets",
        f"            guard targets.count == {len(names)} else {{ throw WireFallback() }}",
    ]
    for index, member_name in enumerate(names):
        lines.append(f"            var m{index}: {model.swift_type(members[member_name]['shape'])}?")
    lines += ["            try reader.beginObject()", "            while try reader.nextMember() {"]
    for index, member_name in enumerate(names):
        keyword = "if" if index == 0 else "} else if"
        lines.append(f"                {keyword} reader.isKey({swift_string(member_name)}) {{")
        lines.append(f"                    try reader.read(&m{index}, targets[{index}])")
    lines += ["                } else {", "                    throw WireFallback()", "                }", "            }"]
    required_locals = [f"let m{i}" for i, n in enumerate(names) if n in required]
    if required_locals:
        lines.append(f"            guard {', '.join(required_locals)} else {{ throw WireFallback() }}")
    for index, member_name in enumerate(names):
        lines.append(f"            self.{property_name(member_name)} = m{index}")
    lines.append("        }")
    lines += bytes_targets(model, name)
    resource = input_resource_expression(model, shape)
    if resource:
        lines += [
            "",
            "        /// The resource the request names (`KeyIdentifier`, else `IncomingKeyIdentifier`, else",
            "        /// `ResourceArn`, else `AliasName`), for logs and the audit trail.",
            f"        public var wireInputResource: Swift.String? {{ {resource} }}",
        ]
    return lines


def input_resource_expression(model: Model, shape: dict) -> str | None:
    """The Swift expression of `WireShape.wireInputResource`: the first of the members `Wire.resourceMembers`
    names that the structure has as a plain string, stopping at a required one."""
    members: dict = shape.get("members", {})
    required = set(shape.get("required", []))
    expression: list[str] = []
    for name in ("KeyIdentifier", "IncomingKeyIdentifier", "ResourceArn", "AliasName"):
        if name not in members:
            continue
        target = model.shapes[members[name]["shape"]]
        if target["type"] != "string" or "enum" in target:
            continue
        expression.append(f"self.{property_name(name)}")
        if name in required:
            break
    return " ?? ".join(expression) or None


def render_union_bytes(model: Model, name: str, members: dict) -> list[str]:
    names = list(members)
    lines = ["", BYTES_DOC,
             "        public init(wireBytes reader: inout WireByteReader, shape: ShapeSchema?) throws(WireFallback) {",
             "            let targets = Self.wireTargets",
             f"            guard targets.count == {len(names)} else {{ throw WireFallback() }}",
             "            try reader.beginObject()",
             "            guard try reader.nextMember() else { throw WireFallback() }"]
    for index, member_name in enumerate(names):
        keyword = "if" if index == 0 else "} else if"
        lines.append(f"            {keyword} reader.isKey({swift_string(member_name)}) {{")
        lines.append(f"                self = .{property_name(member_name)}(try reader.value(targets[{index}]))")
    lines += ["            } else {", "                throw WireFallback()", "            }",
              "            guard try !reader.nextMember() else { throw WireFallback() }", "        }"]
    lines += bytes_targets(model, name)
    return lines


def render_operation_enum(model: Model) -> list[str]:
    service = model.service
    lines = [
        f"    /// The operations of the {service.title}; `schema` gives each one's routing and shapes.",
        "    public enum Operation: Swift.String, Sendable, CaseIterable {",
    ]
    for name in sorted(model.model["operations"]):
        operation = model.model["operations"][name]
        lines += doc_lines(first_sentence(operation.get("documentation")), "        ", f"`{name}`.")
        lines.append(f"        case {lower_camel(name)} = {swift_string(name)}")
    lines += [
        "",
        "        /// The operation's input and output types (the shapes `schema` names).",
        "        public var shapeTypes: (input: any ModelShape.Type, output: any ModelShape.Type) {",
        "            switch self {",
    ]
    for name in sorted(model.model["operations"]):
        operation = model.model["operations"][name]
        lines.append(f"            case .{lower_camel(name).strip('`')}: ({operation['input']['shape']}.self, {operation['output']['shape']}.self)")
    lines += ["            }", "        }", "    }"]
    return lines


# --- schema ------------------------------------------------------------------------------------


def optional_int_args(shape: dict) -> str:
    args = ""
    for bound in ("min", "max"):
        if bound in shape:
            value = shape[bound]
            if value != int(value):
                raise ModelError(f"non-integer {bound} {value!r} is not supported")
            args += f", {bound}: {int(value)}"
    return args


def sensitive_arg(shape: dict) -> str:
    return ", sensitive: true" if shape.get("sensitive") else ""


def render_shape_schema(model: Model, name: str) -> list[str]:
    shape = model.shapes[name]
    kind = model.kind(name)
    quoted = swift_string(name)
    if kind in ("structure", "union"):
        required = set(shape.get("required", []))
        lines = [f"        .{kind}({quoted}{sensitive_arg(shape)}, members: ["]
        for member_name, member in shape.get("members", {}).items():
            args = [swift_string(member_name), swift_string(member["shape"])]
            if member_name in required:
                args.append("required: true")
            if "location" in member:
                args.append(f"location: .{member['location']}")
                args.append(f"locationName: {swift_string(member.get('locationName', member_name))}")
            lines.append(f"            MemberSchema({', '.join(args)}),")
        lines.append("        ]),")
        return lines
    if kind == "string" and "enum" in shape:
        values = ", ".join(swift_string(v) for v in shape["enum"])
        return [f"        .enumeration({quoted}, values: [{values}]{sensitive_arg(shape)}),"]
    if kind == "string":
        pattern = f", pattern: {swift_string(shape['pattern'])}" if "pattern" in shape else ""
        return [f"        .string({quoted}{optional_int_args(shape)}{pattern}{sensitive_arg(shape)}),"]
    if kind == "list":
        member = swift_string(shape["member"]["shape"])
        return [f"        .list({quoted}, member: {member}{optional_int_args(shape)}{sensitive_arg(shape)}),"]
    if kind == "map":
        key = swift_string(shape["key"]["shape"])
        value = swift_string(shape["value"]["shape"])
        return [f"        .map({quoted}, key: {key}, value: {value}{optional_int_args(shape)}{sensitive_arg(shape)}),"]
    if kind in ("integer", "long", "float", "double", "boolean", "timestamp", "blob"):
        return [f"        .scalar({quoted}, .{kind}{optional_int_args(shape)}{sensitive_arg(shape)}),"]
    raise ModelError(f"shape {name} has unsupported type {kind}")


def render_schema(model: Model) -> str:
    service = model.service
    ns = service.namespace
    metadata = model.metadata
    protocol = PROTOCOLS.get(metadata["protocol"])
    if protocol is None:
        raise ModelError(f"unsupported protocol {metadata['protocol']}")
    target_prefix = metadata.get("targetPrefix")
    operations = model.model["operations"]

    lines = header(service) + [
        f"extension {ns} {{",
        f"    /// The schema of the {service.title} model: every shape with its constraints, every operation",
        "    /// with its HTTP binding, and every error shape.",
        "    public static let service = ServiceSchema(",
        f"        serviceName: {swift_string(service.name)},",
        f"        apiVersion: {swift_string(metadata['apiVersion'])},",
        f"        wireProtocol: .{protocol},",
        f"        targetPrefix: {swift_string(target_prefix) if target_prefix else 'nil'},",
        "        shapes: shapeSchemas,",
        "        operations: Operation.allCases.map(\\.schema),",
        "        errors: errorSchemas",
        "    )",
        "",
        "    private static let shapeSchemas: [ShapeSchema] = [",
    ]
    for name in sorted(model.shapes):
        lines += render_shape_schema(model, name)
    lines += ["    ]", "", "    private static let errorSchemas: [ErrorSchema] = ["]
    for name in sorted(model.shapes):
        shape = model.shapes[name]
        if not shape.get("exception"):
            continue
        status = shape.get("error", {}).get("httpStatusCode")
        lines.append(
            f"        ErrorSchema(name: {swift_string(name)}, modelHTTPStatus: {status if status is not None else 'nil'}, "
            f"fault: {'true' if shape.get('fault') else 'false'}),"
        )
    lines += ["    ]", "}", "", f"extension {ns}.Operation {{", "    /// The operation's routing, shapes and errors.",
              "    public var schema: OperationSchema {", "        switch self {"]
    for name in sorted(operations):
        operation = operations[name]
        http = operation["http"]
        input_name = operation.get("input", {}).get("shape")
        output_name = operation.get("output", {}).get("shape")
        if not input_name or not output_name:
            raise ModelError(f"operation {name} lacks an input or output shape")
        bindings = []
        for member_name, member in model.shapes[input_name].get("members", {}).items():
            if "location" in member:
                bindings.append(
                    f"HTTPBinding(member: {swift_string(member_name)}, location: .{member['location']}, "
                    f"locationName: {swift_string(member.get('locationName', member_name))})"
                )
        errors = ", ".join(swift_string(e["shape"]) for e in operation.get("errors", []))
        lines += [
            f"        case .{lower_camel(name).strip('`')}:",
            "            OperationSchema(",
            f"                name: {swift_string(name)},",
            f"                method: {swift_string(http['method'])},",
            f"                requestURI: {swift_string(http['requestUri'])},",
            f"                responseCode: {int(http.get('responseCode', 200))},",
            f"                input: {swift_string(input_name)},",
            f"                output: {swift_string(output_name)},",
            f"                errors: [{errors}],",
        ]
        if bindings:
            lines.append("                bindings: [")
            lines += [f"                    {b}," for b in bindings]
            lines.append("                ],")
        target = f"{target_prefix}.{name}" if target_prefix else None
        lines.append(f"                target: {swift_string(target) if target else 'nil'}")
        lines.append("            )")
    lines += ["        }", "    }", "}"]
    return "\n".join(lines) + "\n"


# --- driver ------------------------------------------------------------------------------------


def generate() -> dict[Path, str]:
    files: dict[Path, str] = {}
    for service in SERVICES:
        model = Model(service, load_model(service))
        files[OUT_DIR / f"{service.namespace}.swift"] = render_types(model)
        files[OUT_DIR / f"{service.namespace}Schema.swift"] = render_schema(model)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files are out of date")
    args = parser.parse_args()
    try:
        files = generate()
    except ModelError as error:
        print(f"generate_model.py: {error}", file=sys.stderr)
        return 2

    if args.check:
        stale = False
        existing = set(OUT_DIR.glob("*.swift")) if OUT_DIR.exists() else set()
        for path in sorted(existing - set(files)):
            print(f"{path.relative_to(ROOT)}: not produced by the generator", file=sys.stderr)
            stale = True
        for path, text in files.items():
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                stale = True
                diff = list(difflib.unified_diff(
                    current.splitlines(), text.splitlines(),
                    f"{path.relative_to(ROOT)} (committed)", f"{path.relative_to(ROOT)} (generated)", lineterm=""))
                print("\n".join(diff[:40]), file=sys.stderr)
                if len(diff) > 40:
                    print(f"... {len(diff) - 40} more diff lines", file=sys.stderr)
        if stale:
            print(f"Generated model files are out of date (botocore {botocore.__version__} installed); "
                  "run python3 scripts/generate_model.py", file=sys.stderr)
            return 1
        print(f"Generated model files are up to date (botocore {botocore.__version__}).")
        return 0

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
