import CanonicalJSON
import Foundation
import Testing

@Suite struct CanonicalJSONTests {
    @Test func sortsKeysDropsWhitespaceAndKeepsNumberLiterals() throws {
        let v = try JSONValue.parse(#" { "b" : 0E-10 , "a": [1.50, "x\n\u00e9"], "c": {"z": null, "y": true} } "#)
        #expect(v.canonicalString == #"{"a":[1.50,"x\né"],"b":0E-10,"c":{"y":true,"z":null}}"#)
    }

    @Test func nestedObjectsKeepTheirOwnMembersAndTheLastOfARepeatedKey() throws {
        let v = try JSONValue.parse(#"{"z":{"b":1,"c":{"d":[{"x":1},{}],"e":null}},"a":1,"a":2,"m":{}}"#)
        #expect(v.canonicalString == #"{"a":2,"m":{},"z":{"b":1,"c":{"d":[{"x":1},{}],"e":null}}}"#)
        #expect(v.object?.count == 3)
    }

    @Test func sameObservationSameBytes() throws {
        let a = try JSONValue.canonicalize(Array(#"{"amount":"-35.56","currency":"EUR"}"#.utf8))
        let b = try JSONValue.canonicalize(Array("{\n  \"currency\": \"EUR\",\n  \"amount\": \"-35.56\"\n}".utf8))
        #expect(a == b)
    }

    @Test func decimalsComeFromStringsAndNumbersExactly() throws {
        let v = try JSONValue.parse(#"{"s":"-9","n":0.1,"e":0E-10,"bad":"12abc"}"#)
        #expect(v["s"]?.decimal == Decimal(-9))
        #expect(v["n"]?.decimal == Decimal(string: "0.1"))
        #expect(v["e"]?.decimal == Decimal(0))
        #expect(v["bad"]?.decimal == nil)
    }

    @Test func escapesRoundTrip() throws {
        let original = JSONValue.string("quote \" backslash \\ tab \t ctrl \u{01} emoji 😀")
        let parsed = try JSONValue.parse(original.canonicalBytes)
        #expect(parsed == original)
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test(arguments: [#"{"a":}"#, #"[1,]"#, #"{"a":1"#, "01x", #""\ud800""#, "nul", #"{"a":1}}"#, ""])
    func rejectsMalformedInputWithOffset(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func errorNamesTheOffset() {
        do {
            _ = try JSONValue.parse(#"{"amount": "1.00", "currency" "EUR"}"#)
            Issue.record("expected a parse error")
        } catch let e as JSONParseError {
            #expect(e.offset == 30)
            #expect(e.description.contains("byte 30"))
        } catch { Issue.record("unexpected \(error)") }
    }
}
