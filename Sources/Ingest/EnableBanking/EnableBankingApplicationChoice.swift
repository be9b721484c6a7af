/// Which `[[enablebanking]]` application a command or an API request means: the one named
/// `name` (compared case-insensitively), or, when no name is given, the only one configured.
/// One rule for `finsync connect enablebanking --application` and `POST /v1/connections`;
/// each caller words the refusal for its own audience.
public enum EnableBankingApplicationChoice {
    public enum Refusal: Error, Sendable {
        /// No application has that name; `configured` lists the names there are.
        case unknown(name: String, configured: [String])
        /// No name was given and there is not exactly one application.
        case ambiguous(configured: [String])
    }

    public static func pick<Item>(_ items: [Item], named name: String?, nameOf: (Item) -> String) throws(Refusal) -> Item {
        let names = items.map(nameOf)
        if let name {
            guard let found = items.first(where: { nameOf($0).lowercased() == name.lowercased() }) else { throw .unknown(name: name, configured: names) }
            return found
        }
        guard items.count == 1, let only = items.first else { throw .ambiguous(configured: names) }
        return only
    }
}
