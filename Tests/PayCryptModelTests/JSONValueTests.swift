import Foundation
import Testing

import PayCryptModel

@Suite("JSONValue: parsing request bytes")
struct JSONValueTests {
    @Test("booleans, integers, numbers and strings stay apart")
    func scalarKinds() throws {
        let value = try json(#"[true, false, 1, 0, "1", "true", 1.5, 4.0, -7, null, 1e2, 99999999999999999999]"#)
        #expect(value == .array([
            .bool(true), .bool(false), .integer(1), .integer(0), .string("1"), .string("true"), .number(1.5),
            .integer(4), .integer(-7), .null, .integer(100), .number(1e20),
        ]))
    }

    @Test("objects and arrays nest")
    func nesting() throws {
        let value = try json(#"{"a": {"b": [1, {"c": "d"}]}, "e": {}}"#)
        #expect(value == ["a": ["b": [1, ["c": "d"]]], "e": [:]])
        #expect(value["a"]?["b"] == [1, ["c": "d"]])
    }

    @Test("unicode and escapes survive")
    func strings() throws {
        #expect(try json(#""caf\u00e9 \"q\" \/ \ud83d\ude00""#) == .string("café \"q\" / 😀"))
    }

    @Test("malformed JSON throws a ParseError that does not echo the input", arguments: [
        "{", #"{"a": }"#, "[1,]", "SECRET-4111", #"{"a": 1} x"#, #"{"a": 1,}"#, "[1, ]",
    ])
    func malformed(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Data(text.utf8)) }
        do {
            _ = try JSONValue(parsing: Data(text.utf8))
        } catch {
            #expect(!String(describing: error).contains("SECRET"))
        }
    }

    @Test("an empty or blank request body is the empty object")
    func emptyBody() throws {
        #expect(try JSONValue.parseRequestBody(Data()) == .object([:]))
        #expect(try JSONValue.parseRequestBody(Data(" \r\n".utf8)) == .object([:]))
        #expect(try JSONValue.parseRequestBody(Data("{\"a\":1}".utf8)) == ["a": 1])
    }

    @Test("serialization round-trips with sorted keys")
    func roundTrip() throws {
        let value: JSONValue = ["b": [true, nil, 2, 2.5, "x/y"], "a": [:]]
        #expect(String(decoding: try value.jsonData(), as: UTF8.self) == #"{"a":{},"b":[true,null,2,2.5,"x/y"]}"#)
        #expect(try JSONValue(parsing: value.jsonData()) == value)
    }
}

@Suite("JSONValue: commas inside strings are not trailing commas")
struct JSONValueCommaTests {
    @Test("a string ending in a comma and bracket parses", arguments: [
        #"{"a": ",]", "b": ",}"}"#, #"["x\",]", 1]"#, #"["\\", 2]"#,
    ])
    func commasInStrings(text: String) throws {
        #expect(throws: Never.self) { try JSONValue(parsing: Data(text.utf8)) }
    }
}
