import Foundation

/// Where a page of `GET /v1/transactions` ends, handed to the client as an opaque string.
///
/// Transactions are listed by their sort day descending, then id descending (the sort day
/// is the booking date, else the value date, else `-infinity`: see
/// ``TransactionQuery/sortDay``); the next page starts strictly after the last row of
/// the previous one. That is a keyset, so a page deep in history is one index seek, not an
/// OFFSET over everything before it, and rows appended meanwhile never shift a page.
public struct TransactionCursor: Sendable, Hashable {
    /// The last row's sort day as PostgreSQL prints it (`2024-03-31` or `-infinity`).
    public var day: String
    public var id: UUID

    public init(day: String, id: UUID) {
        self.day = day
        self.id = id
    }

    static let prefix = "t1:"

    /// The opaque text: base64url (no padding) of `t1:<day>|<id>`.
    public var encoded: String {
        Data("\(Self.prefix)\(day)|\(id.uuidString.lowercased())".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Reads a cursor given back by a client; nil when it is not one this server made.
    public init?(encoded text: String) {
        guard text.count <= 200, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var b64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64), let plain = String(data: data, encoding: .utf8), plain.hasPrefix(Self.prefix) else { return nil }
        let parts = plain.dropFirst(Self.prefix.count).split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else { return nil }
        let day = String(parts[0])
        guard day == "-infinity" || CalendarDate.parse(day) != nil else { return nil }
        self.day = day
        self.id = id
    }
}
