/// A token command that cannot be done, saying which token and why.
public struct TokenError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case nameTaken = "name-taken"
        case badName = "bad-name"
        case notFound = "not-found"
    }
    public var code: Code
    public var name: String

    public var description: String {
        switch code {
        case .nameTaken: return "a live token named \"\(name)\" exists; revoke it first (`finsync token revoke \(name)`) or choose another name"
        case .badName: return "token name \"\(name)\" must be 1–64 printable characters"
        case .notFound: return "no live token named or with id \"\(name)\" (see `finsync token list`)"
        }
    }
}
