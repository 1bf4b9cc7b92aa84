using Parks.Rpc;
using Parks.Hosting;
using Parks.Observability.TestApp;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddParksDefaults("relay").AddService<RelayService>();
builder.Services.AddOptions<RelayOptions>().BindConfiguration(RelayOptions.Section);

var app = builder.Build();
app.MapParksDefaults();
app.Run();
