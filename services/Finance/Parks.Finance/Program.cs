using Parks.Finance;

// The gRPC endpoints arrive with Parks.Rpc and the Parks.Hosting defaults; until then the host wires the
// finance service's options, seed data and repositories only.
var builder = WebApplication.CreateBuilder(args);
builder.AddFinance();

var app = builder.Build();
app.Run();
