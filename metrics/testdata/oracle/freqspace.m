function [f1,f2] = freqspace(n, flag)
% Stand-in for MATLAB's freqspace (absent in Octave 7.3), from its documented
% definition; only the two-output 'meshgrid' form used by metricChenBlum.
if numel(n) == 1, n = [n n]; end
f1 = ((0:n(2)-1) - floor(n(2)/2)) * (2/n(2));
f2 = ((0:n(1)-1) - floor(n(1)/2)) * (2/n(1));
if nargin > 1 && strcmp(flag, 'meshgrid'), [f1,f2] = meshgrid(f1,f2); end
end
