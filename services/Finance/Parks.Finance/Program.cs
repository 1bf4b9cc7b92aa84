using Parks.Finance;

var builder = WebApplication.CreateBuilder(args);
builder.AddFinance();

var app = builder.Build();
app.MapFinance();
app.Run();

/// <summary>The entry point, visible to the functional tests.</summary>
public partial class Program;
