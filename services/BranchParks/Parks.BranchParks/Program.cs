using Parks.Hosting;

await ParksServiceHost.RunAsync<Parks.BranchParks.BranchParksApp>(args);
