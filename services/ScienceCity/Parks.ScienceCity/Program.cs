using Parks.Hosting;

await ParksServiceHost.RunAsync<Parks.ScienceCity.ScienceCityApp>(args);
