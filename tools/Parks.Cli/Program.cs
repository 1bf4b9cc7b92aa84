using Parks.Cli;

return await CommandLine.Build().Parse(args).InvokeAsync();
