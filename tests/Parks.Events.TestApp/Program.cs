using Parks.Events.TestApp;

var app = TestApplication.Build(args);
await app.RunAsync();
