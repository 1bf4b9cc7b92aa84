using Parks.Hosting;

await ParksServiceHost.RunAsync<Parks.Talent.TalentApp>(args);
