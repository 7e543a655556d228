// Losses live with the manifest since Kubernetes YAML read as input has them too (issue 12.2).
export {formatLoss, LossList, type Loss} from '../manifest/loss.js';
