using Parks.Hosting;

await ParksServiceHost.RunAsync<Parks.District.DistrictApp>(args);
