using Parks.Reliability;

// parks-reliability: heavy reliability runs that the tests keep small (docs/reliability.md).
//   dotnet run -c Release --project tools/reliability -- fuzz [--requests 100000] [--seed 1] [--concurrency 16] [--only N]
return args.FirstOrDefault() switch
{
    "fuzz" => await FuzzRun.RunAsync(FuzzOptions.Parse(args.Skip(1))),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: parks-reliability fuzz [--requests N] [--seed S] [--concurrency C] [--only N]");
    return 2;
}
