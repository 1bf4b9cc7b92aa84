using Parks.Talent;

// The gRPC endpoints arrive with Parks.Rpc and the Parks.Hosting defaults; until then the host wires the
// talent service's options, seed data and repositories only.
var builder = WebApplication.CreateBuilder(args);
builder.AddTalent();

var app = builder.Build();
app.Run();
