/// An export that cannot be read, naming the line.
public struct VanguardExportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let raw: String
        public static let notAnExport = Code(raw: "not a Client Transactions Listing")
        public static let malformedRow = Code(raw: "malformed row")
        public var description: String { raw }
    }

    public var code: Code
    /// 1-based line of the file, when the problem is on one line.
    public var line: Int?
    public var message: String

    public var description: String { "Vanguard export" + (line.map { " line \($0)" } ?? "") + ": " + message }
}
