// The project has one distance enum, ReId.MLNet's (ranking, evaluation, the saved GalleryIndex format); the losses use it too.
global using DistanceMetric = ReId.MLNet.Evaluation.DistanceMetric;
