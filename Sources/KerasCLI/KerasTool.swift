// `keras`: the Keras jobs of every day (train, evaluate, predict, inspect, convert, serve) from the shell.

import ArgumentParser
import Foundation
import Keras

/// The `keras` command: one subcommand per job.
@main
struct KerasTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keras",
        abstract: "Train, evaluate, inspect, convert and serve Keras models (swift-keras).",
        discussion: """
            Model files are Keras' own: .keras (Keras 3), .h5 (legacy whole model), .weights.h5 \
            (weights only) and model JSON, from swift-keras or Python Keras alike. Errors go to \
            stderr in one line; the exit status is 0 on success, 1 when the job fails and 64 for \
            a wrong command line. Shell completion: keras --generate-completion-script bash|zsh|fish.
            """,
        subcommands: [Train.self, Evaluate.self, Predict.self, Summary.self, Convert.self, Plot.self,
                      DatasetsCommand.self, Serve.self, Bench.self])

    /// Parses and runs the command; a failing job prints `Error: <one line>` on stderr and exits with 1.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            // --help and --generate-completion-script print as ArgumentParser prints them; a wrong
            // command line is one line: the reason and where to read more.
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let reason = oneLine(message(for: error))
            FileHandle.standardError.write(Data("Error: \(reason) (see keras --help)\n".utf8))
            Foundation.exit(code.rawValue)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ValidationError {
            FileHandle.standardError.write(Data("Error: \(oneLine(error.message))\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            // ArgumentParser's own (--help, completion scripts) print as ArgumentParser prints them.
            if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { exit(withError: error) }
            FileHandle.standardError.write(Data("Error: \(oneLine("\(error)"))\n".utf8))
            Foundation.exit(ExitCode.failure.rawValue)
        }
    }

    static func oneLine(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
