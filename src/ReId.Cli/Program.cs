return ReId.Cli.CliApp.Run(args, Console.Out, Console.Error);
