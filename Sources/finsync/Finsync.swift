import ArgumentParser

/// The `finsync` command-line tool.
@main
struct Finsync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finsync",
        abstract: "An event-sourced sync engine for personal-finance data, in PostgreSQL.",
        subcommands: [
            MigrateCommand.self,
            ProjectCommand.self,
            AccountsCommand.self,
            TransactionsCommand.self,
            StatusCommand.self,
            EventsCommand.self,
            RebuildCommand.self,
            ReplayCommand.self,
            ExplainCommand.self,
            BenchCommand.self,
            SyncCommand.self,
            ConnectCommand.self,
            ConnectionsCommand.self,
            RunsCommand.self,
            ScheduleCommand.self,
            ConfigCommand.self,
            SandboxCommand.self,
            ImportCommand.self,
            InstitutionsCommand.self,
            ServeCommand.self,
            TokenCommand.self,
            TagCommand.self,
            CategoriseCommand.self,
            NoteCommand.self,
            CategoriesCommand.self,
            RulesCommand.self,
        ]
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            MallocArenas.configure(for: command)
            if var command = command as? AsyncParsableCommand { try await command.run() } else { try command.run() }
        } catch {
            exit(withError: error)
        }
    }
}
