using System.Text.RegularExpressions;
using Parks.Deploy.Tests.Infrastructure;

namespace Parks.Deploy.Tests;

/// <summary>
/// docs/operations.md: every command is either marked as needing a cluster or a container engine, or is one the
/// tests run; the offline ones are run here exactly as written.
/// </summary>
public sealed partial class OperationsDocTests
{
    /// <summary>Offline commands in the doc that this test does not run itself, and what runs them.</summary>
    private static readonly IReadOnlyDictionary<string, string> RunElsewhere = new Dictionary<string, string>
    {
        ["./test.sh"] = "CI (.ci/run)",
        ["dotnet test tests/Parks.Deploy.Tests"] = "./test.sh, which runs this very project",
    };

    public static TheoryData<string> OfflineCommands() => new(Commands().Where(c => !IsMarked(c)).Select(Strip).Where(c => !RunElsewhere.ContainsKey(c)));

    [Fact]
    public void Commands_that_need_a_cluster_or_docker_are_marked()
    {
        var commands = Commands();

        Assert.NotEmpty(commands);
        Assert.All(commands.Where(c => NeedsClusterOrDocker().IsMatch(Strip(c))), command => Assert.True(IsMarked(command), command));
    }

    [Theory]
    [MemberData(nameof(OfflineCommands))]
    public void Offline_command_from_the_operations_doc_succeeds(string command)
    {
        var result = Tool.Run("bash", ["-c", command]);

        Assert.True(result.ExitCode == 0, $"`{command}` exited with {result.ExitCode}:\n{result.StandardError}");
        Assert.False(string.IsNullOrWhiteSpace(result.StandardOutput) && command.Contains("--dry-run", StringComparison.Ordinal), $"`{command}` printed nothing");
    }

    /// <summary>The commands of the ```sh blocks, continuation lines joined.</summary>
    private static IReadOnlyList<string> Commands()
    {
        var markdown = File.ReadAllText(Repo.Combine("docs", "operations.md"));
        var commands = new List<string>();
        foreach (Match block in ShellBlock().Matches(markdown))
        {
            var pending = "";
            foreach (var line in block.Groups[1].Value.Split('\n'))
            {
                if (line.TrimEnd().EndsWith('\\'))
                {
                    pending += line.TrimEnd().TrimEnd('\\') + " ";
                    continue;
                }

                var command = (pending + line).Trim();
                pending = "";
                if (command.Length > 0)
                {
                    commands.Add(command);
                }
            }
        }

        return commands;
    }

    private static bool IsMarked(string command) => Marker().IsMatch(command);

    /// <summary>The command without its trailing comment.</summary>
    private static string Strip(string command) => TrailingComment().Replace(command, "").Trim();

    /// <summary>kubectl talking to a server (anything but kustomize), helm, docker, kind, or a cluster-side script run.</summary>
    [GeneratedRegex(@"^(kubectl (?!kustomize)|helm |docker |kind |for |k8s/secrets\.example\.sh$)")]
    private static partial Regex NeedsClusterOrDocker();

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"#\s*\[(cluster|docker)\]")]
    private static partial Regex Marker();

    [GeneratedRegex(@"\s+#\s.*$")]
    private static partial Regex TrailingComment();
}
