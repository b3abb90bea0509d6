namespace ReId.Training.Methods.Csgn;

/// <summary>Which of CSGN's two prompt banks (MDG): the one learnt from RGB images or the one learnt from their grey copies.</summary>
public enum CsgnPromptBank
{
    /// <summary>Prompts learnt against the image features of the RGB images.</summary>
    Rgb,
    /// <summary>Prompts learnt against the image features of their grayscale copies (<see cref="GreyView"/>).</summary>
    Grey,
}
