using Parks.ScienceCity;

// The gRPC endpoints arrive with Parks.Rpc and the Parks.Hosting defaults; until then the host wires the
// Science City's options, seed data and repositories only.
var builder = WebApplication.CreateBuilder(args);
builder.AddScienceCity();

var app = builder.Build();
app.Run();
