import CanonicalJSON
import Foundation
import Testing

/// `canonicalMemberText` may only ever answer what parsing and re-serialising would.
@Suite struct CanonicalMemberTests {
    static let documents: [String] = [
        #"{"account_id":"a1","occurrence":0,"transaction":{"bookingDate":"2024-01-02","remittanceInformationUnstructuredArray":["x","y"],"transactionAmount":{"amount":"-1.50","currency":"GBP"}}}"#,
        #"{"a":1,"transaction":"caf\u00e9 £ \"q\" \\ \n\t\u0001"}"#,
        #"{"transaction":[0E-10,-1.5e+3,true,false,null,{},[]]}"#,
        #"{"transaction":{"b":1,"a":2}}"#,                   // unsorted keys
        #"{"transaction":{"a":1,"a":2}}"#,                   // repeated key
        #"{"transaction":{"a": 1}}"#,                        // whitespace
        #"{"transaction":"a\/b"}"#,                          // needless escape
        #"{"transaction":"\u00e9"}"#,                        // escaped non-control character
        #"{"transaction":"\u000a"}"#,                        // long form of \n
        #"{"transaction":"\u001F"}"#,                        // upper-case hex
        #"{"transaction":{"k\u0001":1,"k":2}}"#,             // escaped key
        #"{"transaction":1,"transaction":2}"#,               // repeated top-level key
        #"{"transaction":1,"a":2}"#,                         // unsorted top level
        #"{"other":1}"#,
        #"["transaction"]"#,
    ]

    @Test(arguments: documents)
    func answersOnlyWhatReserialisingWould(_ text: String) throws {
        let bytes = Array(text.utf8)
        let reference = try JSONValue.parse(bytes)["transaction"]?.canonicalString
        let cut = bytes.withUnsafeBytes { JSONValue.canonicalMemberText("transaction", in: $0) }
        if let cut { #expect(cut == reference) }
        // Canonicalised, every document with the member is cut (keys with escapes excepted).
        let canonical = try JSONValue.parse(bytes).canonicalBytes
        let fromCanonical = canonical.withUnsafeBytes { JSONValue.canonicalMemberText("transaction", in: $0) }
        if text.contains(#"k\u0001"#) { #expect(fromCanonical == nil || fromCanonical == reference) } else { #expect(fromCanonical == reference) }
    }

    @Test func refusesWhatItCannotCut() {
        for text in [#"{"transaction":{"b":1,"a":2}}"#, #"{"transaction":"a\/b"}"#, #"{"transaction":1,"transaction":2}"#, #"{"transaction": 1}"#] {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBytes { JSONValue.canonicalMemberText("transaction", in: $0) } == nil, "\(text)")
        }
    }
}
