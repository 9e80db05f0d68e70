namespace ReconcileApi.Tests;

/// <summary>The README's layout section names every source folder, so it cannot drift from the tree.</summary>
public sealed class ReadmeLayoutTests
{
    [Fact]
    public void LayoutSection_NamesEveryFolderThatHoldsCode()
    {
        var root = ContractTests.RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var start = readme.IndexOf("\n## Layout", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## Layout' section.");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var layout = end < 0 ? readme[start..] : readme[start..end];

        var folders = new[] { "src", "tests" }
            .SelectMany(top => Directory.EnumerateFiles(Path.Combine(root, top), "*.cs", SearchOption.AllDirectories))
            .Select(file => Path.GetRelativePath(root, Path.GetDirectoryName(file)!).Replace('\\', '/'))
            .Where(folder => !folder.Split('/').Any(part => part is "bin" or "obj" or "Migrations"))
            .Distinct()
            .Order();

        var missing = folders.Where(folder => !layout.Contains($"`{folder}/`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "README's Layout section does not name: " + string.Join(", ", missing));
    }
}
