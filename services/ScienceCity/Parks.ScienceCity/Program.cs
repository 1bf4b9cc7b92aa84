using Parks.ScienceCity;

var builder = WebApplication.CreateBuilder(args);
builder.AddScienceCity();

var app = builder.Build();
app.MapScienceCity();
app.Run();

/// <summary>The entry point, visible to the functional tests.</summary>
public partial class Program;
