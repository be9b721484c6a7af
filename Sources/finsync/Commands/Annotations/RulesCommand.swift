import Annotations
import ArgumentParser
import Projections

/// The fields of a rule on the command line (`rules add`, `change`, `preview`).
struct RuleOptions: ParsableArguments {
    @Option(help: "Provider (gocardless, enablebanking, trading212, vanguard).") var provider: String?
    @Option(help: "Unified account id.") var account: String?
    @Option(help: "Counterparty contains (case-insensitive).") var counterparty: String?
    @Option(help: "Description contains (case-insensitive).") var description: String?
    @Option(help: "Description matches this regular expression (case-insensitive, PostgreSQL syntax).") var regex: String?
    @Option(help: "Absolute amount at least.") var min: String?
    @Option(help: "Absolute amount at most.") var max: String?
    @Option(help: "debit or credit.") var sign: String?
    @Option(help: "Category to set (name or id).") var category: String?
    @Option(help: "Tag to add (repeatable).") var tag: [String] = []

    func definition() throws -> RuleDefinition {
        var sign: RuleDefinition.Sign? = nil
        if let s = self.sign {
            guard let parsed = RuleDefinition.Sign(rawValue: s) else { throw ValidationError("--sign must be debit or credit") }
            sign = parsed
        }
        return RuleDefinition(provider: provider, accountID: account, counterparty: counterparty, description: description, descriptionRegex: regex,
                              amountMin: min, amountMax: max, sign: sign, categoryID: category, tags: tag)
    }
}

/// `finsync rules [list|add|change|remove|reorder|preview]`.
struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rules", abstract: "The ordered categorisation rules (applied when projecting; a rebuild re-applies them to all history).",
                                                    subcommands: [List.self, Add.self, Change.self, Remove.self, Reorder.self, Preview.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The rules in order.")
        @OptionGroup var database: SettingsOptions
        func run() async throws {
            let (rules, categories) = try await AnnotationCLI.withWriter(database) { w in (try await w.rules(), try await w.categories()) }
            if rules.order.isEmpty { print("(no rules: `finsync rules add …`)"); return }
            for (i, id) in rules.order.enumerated() {
                let rule = rules.definitions[id]
                let category = rule?.categoryID.flatMap { categories.categories[$0]?.name }
                print("\(i + 1). \(id)  \(rule?.json.canonicalString ?? "?")\(category.map { "  → \($0)" } ?? "")")
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a rule at the end of the list.")
        @OptionGroup var database: SettingsOptions
        @OptionGroup var rule: RuleOptions
        func run() async throws {
            let definition = try rule.definition()
            let r = try await AnnotationCLI.withWriter(database) { w in try await w.defineRule(definition, actor: AnnotationCLI.actor) }
            print("rule \(r.id) added; `finsync project` applies it to new and old transactions")
        }
    }

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "change", abstract: "Replace a rule's conditions and effect.")
        @OptionGroup var database: SettingsOptions
        @Argument var id: String
        @OptionGroup var rule: RuleOptions
        func run() async throws {
            let definition = try rule.definition()
            _ = try await AnnotationCLI.withWriter(database) { w in try await w.changeRule(id, to: definition, actor: AnnotationCLI.actor) }
            print("rule \(id) changed")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a rule.")
        @OptionGroup var database: SettingsOptions
        @Argument var id: String
        func run() async throws {
            _ = try await AnnotationCLI.withWriter(database) { w in try await w.removeRule(id, actor: AnnotationCLI.actor) }
            print("rule \(id) removed")
        }
    }

    struct Reorder: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reorder", abstract: "Put these rules first, in this order.")
        @OptionGroup var database: SettingsOptions
        @Argument var ids: [String]
        func run() async throws {
            _ = try await AnnotationCLI.withWriter(database) { w in try await w.reorderRules(ids, actor: AnnotationCLI.actor) }
            print("rules reordered")
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "preview", abstract: "Which transactions a draft rule would change (nothing is saved).")
        @OptionGroup var database: SettingsOptions
        @OptionGroup var rule: RuleOptions
        @Option(help: "At most this many.") var limit = 50
        func run() async throws {
            let definition = try rule.definition()
            let rows = try await AnnotationCLI.withWriter(database) { w in try await w.preview(definition, limit: limit) }
            if rows.isEmpty { print("(the draft rule would change no transaction)"); return }
            for r in rows {
                let change = [r.categoryBefore != r.categoryAfter ? "category \(r.categoryBefore ?? "-") → \(r.categoryAfter ?? "-")" : nil,
                              r.tagsAdded.isEmpty ? nil : "+tags \(r.tagsAdded.joined(separator: ","))"].compactMap { $0 }.joined(separator: "; ")
                print("\(r.transactionID)  \(r.day ?? "")  \(r.amount) \(r.currency)  \(r.counterparty ?? "")  \(r.description ?? "")  \(change)")
            }
        }
    }
}
