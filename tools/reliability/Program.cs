using Parks.Reliability;

// parks-reliability: heavy reliability runs that the tests keep small (docs/reliability.md).
//   dotnet run -c Release --project tools/reliability -- fuzz [--requests 100000] [--seed 1] [--concurrency 16] [--only N]
//   dotnet run -c Release --project tools/reliability -- overload [--seconds 120] [--callers 256] [--limit 32]
//       [--baseline-seconds 15] [--baseline-callers 4] [--rate-limited 100]
return args.FirstOrDefault() switch
{
    "fuzz" => await FuzzRun.RunAsync(FuzzOptions.Parse(args.Skip(1))),
    "overload" => await OverloadRun.RunAsync(OverloadOptions.Parse(args.Skip(1))),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: parks-reliability fuzz [--requests N] [--seed S] [--concurrency C] [--only N]");
    Console.Error.WriteLine("       parks-reliability overload [--seconds S] [--callers N] [--limit L] [--baseline-seconds S] [--baseline-callers N] [--rate-limited R]");
    return 2;
}
