using ReId.Training.Recipes;

namespace ReId.Training.Methods;

/// <summary>A named starting configuration of a method (<c>reid train --recipe NAME</c>).</summary>
/// <param name="Name">Recipe name, unique across methods.</param>
/// <param name="Description">What the recipe trains, in one paragraph.</param>
/// <param name="Create">A fresh copy of its options (the registry sets <see cref="TrainingOptions.Method"/>, the section and the recipe name).</param>
public sealed record TrainingRecipe(string Name, string Description, Func<TrainingOptions> Create);
