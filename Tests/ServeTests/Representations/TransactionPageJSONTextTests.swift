import Foundation
@testable import Serve
import Testing

/// A transactions page is written by ``JSONText`` instead of `JSONEncoder`: the text must be
/// JSON that says exactly what the encoder says, for any strings the rows can hold.
@Suite struct TransactionPageJSONTextTests {
    /// Every control character, the two characters JSON escapes, a slash, non-ASCII.
    static let awkward = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self) + "\"\\/ Café «Zoë» 🍰 \u{7F} end"

    static var pages: [Components.Schemas.TransactionPage] {
        let full = TransactionRepresentationTests.full
        var odd = full
        odd.counterparty = awkward
        odd.description = "\\\"\n"
        odd.providerTransactionKey = awkward
        odd.tags = [awkward, ""]
        odd.note = ""
        var untagged = full
        untagged.tags = []
        let minimal = TransactionRepresentation(id: full.id, accountId: full.accountId, providerTransactionKey: "k", status: .booked,
                                                money: .init(amount: "0.00", currency: "EUR"), updatedAt: Date(timeIntervalSince1970: 0))
        return [
            .init(items: []),
            .init(items: [minimal]),
            .init(items: [full, odd, untagged, minimal], nextCursor: "opaque+/=cursor"),
        ]
    }

    static func object(_ data: Data) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: data) as? NSDictionary)
    }

    @Test(arguments: pages) func itSaysWhatTheEncoderSays(_ page: Components.Schemas.TransactionPage) throws {
        let text = Data(page.jsonText)
        #expect(try Self.object(text) == (try Self.object(try JSONEncoder().encode(page))))
        #expect(try JSONDecoder().decode(Components.Schemas.TransactionPage.self, from: text) == page)
    }

    @Test func itEscapesOnlyWhatJSONRequires() throws {
        var out = JSONText(capacity: 0)
        out.string("a\"b\\c\u{0}\u{8}\u{C}\n\r\t\u{1F}/é")
        #expect(String(decoding: out.bytes, as: UTF8.self) == #""a\"b\\c\u0000\b\f\n\r\t\u001f/é""#)
    }
}
