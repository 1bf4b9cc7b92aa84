using Parks.Hosting;

await ParksServiceHost.RunAsync<Parks.Finance.FinanceApp>(args);
