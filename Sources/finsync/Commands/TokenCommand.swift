import ArgumentParser
import Foundation
import Serve

/// `finsync token create|list|revoke`: the API's bearer tokens (only their hashes are stored).
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens for `finsync serve`.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a token and print it (once: only its hash is stored).")
        @OptionGroup var options: SettingsOptions
        @Option(help: "A name to tell the token apart (unique among live tokens).") var name: String
        @Option(help: "read (every GET) or write (also POST /v1/sync and /v1/connections).") var scope: TokenScope = .read

        func run() async throws {
            let conn = try await options.resolve().connect()
            defer { conn.close() }
            let (token, record) = try await TokenStore(connection: conn).create(name: name, scope: scope)
            print(token)
            FileHandle.standardError.write(Data("token \"\(record.name)\" (scope \(record.scope.rawValue)) created; it is shown only now: keep it somewhere safe\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every token: name, scope, prefix, created, last used, revoked.")
        @OptionGroup var options: SettingsOptions

        func run() async throws {
            let conn = try await options.resolve().connect()
            defer { conn.close() }
            let tokens = try await TokenStore(connection: conn).list()
            if tokens.isEmpty { print("no tokens yet (create one with `finsync token create --name NAME --scope read|write`)"); return }
            for t in tokens {
                let used = t.lastUsedAt.map { "last used \(IngestFormat.iso($0))" } ?? "never used"
                let state = t.revokedAt.map { "revoked \(IngestFormat.iso($0))" } ?? "live"
                print("\(t.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(t.scope.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(t.prefix)…  created \(IngestFormat.iso(t.createdAt))  \(used)  \(state)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a live token (by name or id); a running server refuses it within seconds.")
        @OptionGroup var options: SettingsOptions
        @Argument(help: "The token's name or id.") var token: String

        func run() async throws {
            let conn = try await options.resolve().connect()
            defer { conn.close() }
            try await TokenStore(connection: conn).revoke(token)
            print("revoked \(token)")
        }
    }
}

extension TokenScope: ExpressibleByArgument {}
