using Parks.District;
using Parks.Hosting;
using Parks.Hosting.Events;

var builder = WebApplication.CreateBuilder(args);
builder.AddParksDefaults("district").AddDistrict(builder);

var app = builder.Build();
app.MapParksDefaults();
app.MapParksEvents();
app.Run();
