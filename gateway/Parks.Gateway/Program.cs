using Parks.Gateway;
using Parks.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddGateway(builder.AddParksDefaults("gateway"));

var app = builder.Build();
app.MapParksDefaults();
app.MapGateway();
app.Run();
