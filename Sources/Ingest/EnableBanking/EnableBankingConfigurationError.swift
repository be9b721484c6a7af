/// A problem with one `[[enablebanking]]` entry, naming its key (`enablebanking[0].private_key_file`)
/// and what to do; never the key's content.
public struct EnableBankingConfigurationError: Error, Sendable, CustomStringConvertible {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}
