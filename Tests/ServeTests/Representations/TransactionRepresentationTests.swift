import FinsyncTestSupport
import Foundation
@testable import Serve
import Testing

/// `Transaction` is written by hand in place of the generated type: these hold it to the
/// committed OpenAPI document (property names, required members) and to its own decoding.
@Suite struct TransactionRepresentationTests {
    /// The property names and the `required` list of schema `name` in `Sources/Serve/openapi.yaml`,
    /// read by indentation (the document's own layout: two spaces per level).
    static func schema(_ name: String) throws -> (properties: Set<String>, required: Set<String>) {
        let text = try String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("Sources/Serve/openapi.yaml"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "    \(name):"), "no schema \(name)")
        var properties: Set<String> = [], required: Set<String> = [], inProperties = false
        for line in lines[(start + 1)...] {
            let indent = line.prefix { $0 == " " }.count
            if !line.trimmingCharacters(in: .whitespaces).isEmpty && indent <= 4 { break }
            if indent == 6 {
                inProperties = line.hasPrefix("      properties:")
                if line.hasPrefix("      required: [") {
                    required = Set(line.drop { $0 != "[" }.dropFirst().prefix { $0 != "]" }.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                }
            } else if inProperties && indent == 8 && line.hasSuffix(":") {
                properties.insert(line.trimmingCharacters(in: .whitespaces).dropLast().description)
            }
        }
        return (properties, required)
    }

    static let full = TransactionRepresentation(
        id: "0190a4a8-1a2b-7c3d-8e4f-5a6b7c8d9e0f", accountId: "0190a4a8-1a2b-7c3d-8e4f-000000000001", providerTransactionKey: "tid:\"quoted\"\\",
        status: .pending, bookingDate: "2024-03-31", valueDate: "2024-03-30", money: .init(amount: "-12.50", currency: "GBP"),
        counterparty: "Café «Zoë» 🍰", description: "line\nbreak\ttab\u{1}", updatedAt: Date(timeIntervalSince1970: 1_711_843_200.123456),
        category: "Food", categoryId: "0190a4a8-1a2b-7c3d-8e4f-000000000002", categorySource: "user", tags: ["a", "b c"], note: "n")

    static func object(_ value: TransactionRepresentation) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value)) as? [String: Any])
    }

    @Test func itsMembersAreTheDocumentsProperties() throws {
        let transaction = try Self.schema("Transaction"), money = try Self.schema("Money")
        #expect(Set(TransactionRepresentation.CodingKeys.allCases.map(\.stringValue)) == transaction.properties)
        #expect(Set(TransactionRepresentation.MoneyKeys.allCases.map(\.stringValue)) == money.properties)
        #expect(Set(try Self.object(Self.full).keys) == transaction.properties, "every member written when set")
        let minimal = TransactionRepresentation(id: Self.full.id, accountId: Self.full.accountId, providerTransactionKey: "k", status: .booked,
                                                money: .init(amount: "1", currency: "EUR"), updatedAt: Self.full.updatedAt)
        #expect(Set(try Self.object(minimal).keys) == transaction.required, "only the required members when nothing else is set")
    }

    @Test func itWritesWhatItReadsAndWhatThePropertiesSay() throws {
        let json = try Self.object(Self.full)
        #expect(json["status"] as? String == "pending")
        #expect((json["money"] as? [String: Any])?["amount"] as? String == "-12.50")
        #expect(json["updated_at"] as? String == "2024-03-31T00:00:00.123456Z")
        #expect(json["tags"] as? [String] == ["a", "b c"])
        #expect(json["description"] as? String == "line\nbreak\ttab\u{1}")
        let back = try JSONDecoder().decode(TransactionRepresentation.self, from: try JSONEncoder().encode(Self.full))
        #expect(back == Self.full)
    }

    @Test func anUnknownStatusIsRefused() throws {
        var json = try Self.object(Self.full)
        json["status"] = "cancelled"
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TransactionRepresentation.self, from: try JSONSerialization.data(withJSONObject: json)) }
    }
}
