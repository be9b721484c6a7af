/// A row of a Client Transactions Listing (as read from the file, or as stored in a
/// `vanguard.transaction.imported` event) that cannot be folded, naming the column and
/// the text found there.
///
/// The importer turns it into a ``VanguardExportError``-style message with the file and
/// line; the projection into a `ProjectionError` for the event.
public struct VanguardExportRowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong; extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        /// A required column is absent or its cell is blank.
        public static let missingCell = Code("missing-cell")
        /// A date cell that is not an existing `dd/mm/yyyy` day.
        public static let notADate = Code("not-a-date")
        /// An amount, quantity, price or cost cell that is not a decimal in ``DecimalRange``.
        public static let notADecimal = Code("not-a-decimal")
        /// A cell, column header or account title holding a NUL character (PostgreSQL text
        /// and jsonb cannot store one).
        public static let nulCharacter = Code("nul-character")
        /// A stored event whose payload does not have the importer's shape.
        public static let malformedPayload = Code("malformed-payload")
        public var description: String { raw }
    }

    /// The longest excerpt of a bad cell an error carries.
    public static let maxExcerptLength = 40

    public var code: Code
    /// The column header of the bad cell; nil when the problem is the account title or the
    /// payload's shape.
    public var column: String?
    /// The offending text, cut to at most ``maxExcerptLength`` characters with control
    /// characters escaped (``excerpt(_:)``); nil when the cell is missing.
    public var text: String?
    /// What was expected, for a person to act on (e.g. `is not a number such as 1,234.56`).
    public var message: String

    public init(code: Code, column: String?, text: String?, message: String) {
        self.code = code
        self.column = column.map(Self.excerpt)
        self.text = text.map(Self.excerpt)
        self.message = message
    }

    public var description: String {
        var s = column.map { "column \"\($0)\": " } ?? ""
        if let text { s += "\"\(text)\" " }
        return s + message
    }

    /// `text` made safe and short for a message: control characters (NUL included) written
    /// as `\u{…}`, and anything past ``maxExcerptLength`` characters replaced by `…`.
    public static func excerpt(_ text: String) -> String {
        var pieces: [String] = [], count = 0
        for scalar in text.unicodeScalars {
            let piece = scalar.value < 0x20 || scalar.value == 0x7F ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
            if count + piece.count > maxExcerptLength {
                // Too long: keep what fits before the ellipsis.
                var out = "", kept = 0
                for p in pieces {
                    if kept + p.count > maxExcerptLength - 1 { break }
                    out += p
                    kept += p.count
                }
                return out + "…"
            }
            pieces.append(piece)
            count += piece.count
        }
        return pieces.joined()
    }
}
