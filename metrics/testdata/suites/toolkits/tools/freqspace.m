function [f1,f2] = freqspace(n, flag)
% MATLAB freqspace for 2-D, written from MATLAB's documented definition (Octave 7.3 lacks it).
f1 = ((0:n(2)-1) - floor(n(2)/2)) * (2/n(2));
f2 = ((0:n(1)-1) - floor(n(1)/2)) * (2/n(1));
if nargin > 1 && strcmp(flag, 'meshgrid')
  [f1,f2] = meshgrid(f1,f2);
end
end
