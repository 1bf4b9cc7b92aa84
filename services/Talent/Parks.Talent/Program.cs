using Parks.Talent;

var builder = WebApplication.CreateBuilder(args);
builder.AddTalent();

var app = builder.Build();
app.MapTalent();
app.Run();

/// <summary>The entry point, visible to the functional tests.</summary>
public partial class Program;
