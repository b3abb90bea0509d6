using ReId.Training.Methods;

namespace ReId.Training.Recipes;

/// <summary>Named, documented starting configurations, gathered from the registered methods (<see cref="TrainingMethods"/>).</summary>
public static class TrainingRecipes
{
    private static readonly (ITrainingMethod Method, TrainingRecipe Recipe)[] All =
        [.. TrainingMethods.All.SelectMany(m => m.Recipes.Select(r => (m, r)))];

    /// <summary>Recipe names in registration order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(a => a.Recipe.Name)];

    /// <summary>What a recipe does, in one paragraph.</summary>
    public static string Describe(string name) => Lookup(name).Recipe.Description;

    /// <summary>A fresh copy of the recipe's options, with its method, that method's section and the recipe's name set.</summary>
    public static TrainingOptions Get(string name)
    {
        var (method, recipe) = Lookup(name);
        var options = recipe.Create();
        options.Recipe = recipe.Name;
        options.Method = method.Name;
        options.Section ??= method.CreateSection();
        return options;
    }

    private static (ITrainingMethod Method, TrainingRecipe Recipe) Lookup(string name) =>
        All.FirstOrDefault(a => a.Recipe.Name == name) is { Recipe: not null } found ? found
            : throw new ArgumentException($"unknown recipe '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name));
}
