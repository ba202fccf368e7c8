using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Model;
using Microsoft.Extensions.DependencyInjection;
using Wolverine.Runtime;

namespace ActionTracker.Api.Tests;

/// <summary>
/// The service loads Wolverine's handler code from the files checked in under
/// <c>src/ActionTracker.Api/Internal/Generated</c>. A change to a handler, a message or a policy
/// that the files do not reflect must fail here, not at a customer's start-up.
/// </summary>
public sealed class GeneratingHandlerCode(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public void the_generated_handler_code_is_current()
    {
        var checkedIn = Path.Combine(ActionTracker.Testing.OpsScripts.Root, "src", "ActionTracker.Api", "Internal", "Generated");
        var fresh = Directory.CreateTempSubdirectory("at-codegen-").FullName;
        var rules = api.Services.GetRequiredService<IWolverineRuntime>().Options.CodeGeneration;
        var original = rules.GeneratedCodeOutputPath;
        try
        {
            rules.GeneratedCodeOutputPath = fresh;
            new DynamicCodeBuilder(api.Services, [.. api.Services.GetServices<ICodeFileCollection>()])
            {
                ServiceVariableSource = api.Services.GetService<IServiceVariableSource>(),
            }.WriteGeneratedCode(_ => { });

            var expected = Files(fresh);
            var actual = Files(checkedIn);
            Assert.True(expected.Count > 0, "Nothing was generated.");
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (file, text) in expected)
                Assert.True(text == actual[file], $"{file} is stale: run ops/codegen.");
        }
        finally
        {
            rules.GeneratedCodeOutputPath = original;
            Directory.Delete(fresh, recursive: true);
        }
    }

    private static Dictionary<string, string> Files(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(root, f), f => File.ReadAllText(f).ReplaceLineEndings())
            : [];
}
