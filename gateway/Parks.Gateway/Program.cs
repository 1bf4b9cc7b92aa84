using Parks.Hosting;

await ParksServiceHost.RunAsync<Parks.Gateway.GatewayApp>(args);
