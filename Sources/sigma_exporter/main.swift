import Foundation
import SigmaExporter

// Only parses arguments and runs; everything else lives in the SigmaExporter library.
exit(await ExporterCommand.main(arguments: Array(CommandLine.arguments.dropFirst())))
