using Parks.BranchParks;
using Parks.Hosting;
using Parks.Hosting.Events;

var builder = WebApplication.CreateBuilder(args);
builder.AddParksDefaults("branchparks").AddBranchParks(builder);

var app = builder.Build();
app.MapParksDefaults();
app.MapParksEvents();
app.Run();
