/// A problem in a `[[trading212]]` table, naming the key (e.g. `trading212[1].api_key_env`).
public struct Trading212ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem; extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let raw: String
        public static let missingKey = Code(raw: "missing key")
        public static let invalidValue = Code(raw: "invalid value")
        public static let duplicateName = Code(raw: "duplicate connection name")
        public static let missingSecret = Code(raw: "missing secret")
        public var description: String { raw }
    }

    public var code: Code
    /// The full key path, e.g. `trading212[0].base_url`.
    public var key: String
    public var message: String

    public init(code: Code, key: String, message: String) {
        self.code = code
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}
